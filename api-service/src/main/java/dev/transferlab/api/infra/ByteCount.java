package dev.transferlab.api.infra;

import io.quarkus.runtime.configuration.MemorySizeConverter;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * A size such as {@code 64M} as its bytes, so that a mapping can declare it a {@code long} and put Bean Validation
 * constraints such as {@code @Positive} on it, which do not apply to a {@code MemorySize}.
 */
public class ByteCount implements Converter<Long> {
    private static final MemorySizeConverter SIZES = new MemorySizeConverter();

    @Override
    public Long convert(String value) {
        return SIZES.convert(value).asLongValue();
    }
}
