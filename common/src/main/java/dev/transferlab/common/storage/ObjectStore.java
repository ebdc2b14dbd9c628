package dev.transferlab.common.storage;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/** The one client both services use for object storage. */
public final class ObjectStore implements AutoCloseable {
    private static final int DELETE_BATCH = 1000;

    private final S3Client s3;
    private final String defaultBucket;

    public ObjectStore(S3Settings settings) {
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .region(Region.of(settings.region()))
                .forcePathStyle(settings.pathStyle())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(settings.maxAttempts())
                        .backoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofMillis(200),
                                Duration.ofSeconds(10)))
                        // The breaker would stop retrying during exactly the outages we want to ride out.
                        .circuitBreakerEnabled(false)
                        .build()));
        settings.endpoint().filter(e -> !e.isBlank()).ifPresent(e -> builder.endpointOverride(URI.create(e)));
        if (settings.accessKey().isPresent() && settings.secretKey().isPresent()) {
            builder.credentialsProvider(StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(settings.accessKey().get(), settings.secretKey().get())));
        } else {
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        this.s3 = builder.build();
        this.defaultBucket = settings.bucket();
    }

    public String defaultBucket() {
        return defaultBucket;
    }

    public ObjectLocation locate(String location) {
        return ObjectLocation.parse(location, defaultBucket);
    }

    public ObjectLocation inDefaultBucket(String key) {
        return new ObjectLocation(defaultBucket, key);
    }

    public void ensureBucket(String bucket) {
        try {
            s3.headBucket(b -> b.bucket(bucket));
        } catch (NoSuchBucketException e) {
            createBucket(bucket);
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw e;
            }
            createBucket(bucket);
        }
    }

    /**
     * For readiness checks: empty when the platform bucket answers (created when missing, as at start), otherwise
     * what went wrong. Bounded by {@code timeout} over all of the client's retries, so that a probe answers while the
     * store is down instead of riding the outage out as jobs do.
     */
    public Optional<String> defaultBucketProblem(Duration timeout) {
        AwsRequestOverrideConfiguration bounded = AwsRequestOverrideConfiguration.builder().apiCallTimeout(timeout)
                .build();
        try {
            try {
                s3.headBucket(b -> b.bucket(defaultBucket).overrideConfiguration(bounded));
            } catch (S3Exception e) {
                if (e.statusCode() != 404) {
                    throw e;
                }
                try {
                    s3.createBucket(b -> b.bucket(defaultBucket).overrideConfiguration(bounded));
                } catch (BucketAlreadyOwnedByYouException alreadyThere) {
                    // another replica created it first
                }
            }
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(String.valueOf(e.getMessage()));
        }
    }

    private void createBucket(String bucket) {
        try {
            s3.createBucket(b -> b.bucket(bucket));
        } catch (BucketAlreadyOwnedByYouException e) {
            // another replica created it first
        }
    }

    public void put(ObjectLocation location, byte[] bytes, String contentType) {
        s3.putObject(b -> b.bucket(location.bucket()).key(location.key()).contentType(contentType),
                RequestBody.fromBytes(bytes));
    }

    public void put(ObjectLocation location, Path file, String contentType) {
        s3.putObject(b -> b.bucket(location.bucket()).key(location.key()).contentType(contentType),
                RequestBody.fromFile(file));
    }

    /** Streams {@code length} bytes to the object; the SDK buffers only what a retry needs, never the whole body. */
    public void put(ObjectLocation location, InputStream in, long length, String contentType) {
        s3.putObject(b -> b.bucket(location.bucket()).key(location.key()).contentType(contentType),
                RequestBody.fromInputStream(in, length));
    }

    /** The object's content as a stream the caller closes, or empty when neither it nor its bucket exists. */
    public Optional<InputStream> open(ObjectLocation location) {
        try {
            return Optional.of(s3.getObject(b -> b.bucket(location.bucket()).key(location.key())));
        } catch (NoSuchKeyException | NoSuchBucketException e) {
            return Optional.empty();
        }
    }

    /** The object's bytes, or empty when neither it nor its bucket exists. */
    public Optional<byte[]> get(ObjectLocation location) {
        try {
            ResponseBytes<GetObjectResponse> bytes = s3.getObjectAsBytes(
                    b -> b.bucket(location.bucket()).key(location.key()));
            return Optional.of(bytes.asByteArray());
        } catch (NoSuchKeyException | NoSuchBucketException e) {
            return Optional.empty();
        }
    }

    /** Streams the object into a file, replacing it; false when neither the object nor its bucket exists. */
    public boolean download(ObjectLocation location, Path file) {
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(
                b -> b.bucket(location.bucket()).key(location.key()))) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (NoSuchKeyException | NoSuchBucketException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot download " + location + " to " + file, e);
        }
    }

    public boolean exists(ObjectLocation location) {
        try {
            s3.headObject(b -> b.bucket(location.bucket()).key(location.key()));
            return true;
        } catch (NoSuchKeyException | NoSuchBucketException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    /** Every object under a prefix (all pages), or an empty list when the bucket does not exist. */
    public List<S3Object> list(ObjectLocation prefix) {
        try {
            return s3.listObjectsV2Paginator(b -> b.bucket(prefix.bucket()).prefix(prefix.key()))
                    .contents().stream().toList();
        } catch (NoSuchBucketException e) {
            return List.of();
        }
    }

    /** The "folders" directly under a prefix, as full key prefixes ending in '/'. */
    public List<String> listFolders(ObjectLocation prefix) {
        try {
            return s3.listObjectsV2Paginator(b -> b.bucket(prefix.bucket()).prefix(prefix.key()).delimiter("/"))
                    .commonPrefixes().stream().map(CommonPrefix::prefix).toList();
        } catch (NoSuchBucketException e) {
            return List.of();
        }
    }

    public void delete(ObjectLocation location) {
        s3.deleteObject(b -> b.bucket(location.bucket()).key(location.key()));
    }

    /** Deletes every object under a prefix, a thousand per request (the S3 API's limit). */
    public void deleteAll(ObjectLocation prefix) {
        List<S3Object> objects = list(prefix);
        for (int from = 0; from < objects.size(); from += DELETE_BATCH) {
            List<ObjectIdentifier> batch = objects.subList(from, Math.min(objects.size(), from + DELETE_BATCH))
                    .stream().map(o -> ObjectIdentifier.builder().key(o.key()).build()).toList();
            DeleteObjectsResponse response = s3.deleteObjects(b -> b.bucket(prefix.bucket())
                    .delete(d -> d.objects(batch).quiet(true)));
            if (response.hasErrors() && !response.errors().isEmpty()) {
                throw new IllegalStateException("could not delete " + response.errors().size() + " objects under "
                        + prefix + ", e.g. " + response.errors().get(0).key() + ": "
                        + response.errors().get(0).message());
            }
        }
    }

    @Override
    public void close() {
        s3.close();
    }
}
