package dev.transferlab.common.storage;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
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
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/** The one client both services use for object storage. */
public final class ObjectStore implements AutoCloseable {
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

    public void delete(ObjectLocation location) {
        s3.deleteObject(b -> b.bucket(location.bucket()).key(location.key()));
    }

    @Override
    public void close() {
        s3.close();
    }
}
