package dev.transferlab.api.datasets;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * The body of {@code POST /v1/datasets} as JSON: register images already in object storage.
 *
 * @param location {@code s3://bucket/prefix} or a prefix in the platform bucket, holding an ImageFolder tree
 */
public record DatasetRegistration(
        @NotBlank @Size(max = 1024) @Pattern(regexp = "^(?!.*\\.\\.).*$", message = "must not contain '..'")
        String location,
        @Size(max = 200) String name) {
}
