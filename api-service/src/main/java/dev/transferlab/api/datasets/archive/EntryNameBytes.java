package dev.transferlab.api.datasets.archive;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * An entry's name as the archive stores it, decoded strictly as UTF-8. A lenient decoder turns every bad byte into
 * the same '?' or U+FFFD, so two different names become one (and a misleading "appears twice") or a name nobody
 * wrote; a name that is not UTF-8 is refused instead, its bytes shown.
 */
final class EntryNameBytes {
    private static final int SHOWN_CHARS = 200;

    private EntryNameBytes() {
    }

    static String decode(byte[] name) throws UnreadableArchive {
        try {
            return strict().decode(ByteBuffer.wrap(name)).toString();
        } catch (CharacterCodingException e) {
            throw UnreadableArchive.refused(printable(name), "is not UTF-8; rename it, or archive it with a tool "
                    + "that writes UTF-8 names");
        }
    }

    /** The name with what is not UTF-8, and control characters, as {@code \xNN}; a long one cut short. */
    static String printable(byte[] name) {
        CharsetDecoder decoder = strict();
        ByteBuffer in = ByteBuffer.wrap(name);
        CharBuffer out = CharBuffer.allocate(name.length);
        StringBuilder shown = new StringBuilder();
        while (in.hasRemaining()) {
            CoderResult result = decoder.decode(in, out, true);
            out.flip();
            out.chars().forEach(c -> shown.append(c < 0x20 || c == 0x7f ? hex(c) : String.valueOf((char) c)));
            out.clear();
            if (result.isError()) {
                for (int i = 0; i < result.length(); i++) {
                    shown.append(hex(in.get() & 0xff));
                }
            }
        }
        return shown.length() > SHOWN_CHARS ? shown.substring(0, SHOWN_CHARS) + "…" : shown.toString();
    }

    private static String hex(int b) {
        return String.format("\\x%02x", b);
    }

    private static CharsetDecoder strict() {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }
}
