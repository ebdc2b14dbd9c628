package dev.transferlab.api.datasets.archive;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The records of a PAX extended header ({@code "<length> <key>=<value>\n"} each), with each value's bytes as they are:
 * commons-compress hands values on only as UTF-8 decoded with bad bytes replaced. Read after the library has
 * accepted the header; what does not parse ends the list, never the read.
 */
final class PaxRecords {

    record Record(String key, byte[] value) {
    }

    private PaxRecords() {
    }

    static List<Record> parse(byte[] header) {
        List<Record> records = new ArrayList<>();
        int at = 0;
        while (at < header.length) {
            int space = at;
            long length = 0;
            while (space < header.length && header[space] >= '0' && header[space] <= '9' && length <= header.length) {
                length = length * 10 + header[space] - '0';
                space++;
            }
            if (space == at || space >= header.length || header[space] != ' ' || at + length > header.length
                    || length <= space - at + 2) {
                break;
            }
            int end = (int) (at + length) - 1;
            int equals = space + 1;
            while (equals < end && header[equals] != '=') {
                equals++;
            }
            if (equals >= end || header[end] != '\n') {
                break;
            }
            records.add(new Record(new String(header, space + 1, equals - space - 1, StandardCharsets.UTF_8),
                    Arrays.copyOfRange(header, equals + 1, end)));
            at = end + 1;
        }
        return records;
    }
}
