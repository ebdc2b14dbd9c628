package dev.transferlab.common.storage;

/**
 * A bucket and a key (or key prefix). Parses {@code s3://bucket/key}; anything else is a key in the default bucket.
 */
public record ObjectLocation(String bucket, String key) {

    public static ObjectLocation parse(String location, String defaultBucket) {
        if (location.startsWith("s3://")) {
            String rest = location.substring("s3://".length());
            int slash = rest.indexOf('/');
            return slash < 0 ? new ObjectLocation(rest, "") : new ObjectLocation(rest.substring(0, slash),
                    rest.substring(slash + 1));
        }
        return new ObjectLocation(defaultBucket, location.startsWith("/") ? location.substring(1) : location);
    }

    /** The same location as a prefix: ends with a slash unless it is the bucket root. */
    public ObjectLocation asPrefix() {
        return key.isEmpty() || key.endsWith("/") ? this : new ObjectLocation(bucket, key + "/");
    }

    public ObjectLocation child(String relativeKey) {
        return new ObjectLocation(bucket, asPrefix().key + relativeKey);
    }

    @Override
    public String toString() {
        return "s3://" + bucket + "/" + key;
    }
}
