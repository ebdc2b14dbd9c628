package dev.transferlab.api.jobs;

import dev.transferlab.common.messages.BatchPredictionRequest;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.SweepRequest;
import dev.transferlab.common.messages.SweepTrial;
import dev.transferlab.common.messages.TrainingEvent;
import dev.transferlab.common.messages.TrainingEventType;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Jobs in PostgreSQL (the tables of {@code db/migration}): each job's view as {@link JobViews} computes it from its
 * events, and the events themselves, each stored once under its id and numbered per job. Any replica reads and
 * writes it, so a job is served by whichever replica a request reaches, and nothing is rebuilt at start.
 * <p>
 * Plain JDBC on Agroal's pool rather than an ORM: the writes are a handful of batched statements per polled batch of
 * events, which is what lets the store keep up with a topic's worth of history.
 */
public class JobStore {
    /** SQLSTATE class 22: a value the column's type cannot hold. */
    private static final String DATA_EXCEPTION = "22";
    private final DataSource db;

    public JobStore(DataSource db) {
        this.db = db;
    }

    /** An event as stored: its number among its job's events, from 1. */
    public record Stored(TrainingEvent event, int seq) {
    }

    /**
     * What applying a batch did: the events stored now or before (skipped as duplicates), in the batch's order, and
     * why each of the others (by its index in the batch) did not fit its job.
     */
    public record Applied(List<Stored> stored, Map<Integer, UnfitEventException> unfit) {
    }

    /**
     * Applies the events in order, in one transaction, and records {@code nextOffsets} (per partition of the events
     * topic, the offset after the batch) with them, so the store and its position in the topic move together. An
     * event whose id is stored already is skipped; one that does not fit its job changes nothing. Concurrent writers
     * (every replica applies every event) take turns per job.
     */
    public Applied apply(List<TrainingEvent> events, Map<Integer, Long> nextOffsets) {
        try {
            return transaction(events, nextOffsets);
        } catch (SQLException e) {
            if (e.getSQLState() == null || !e.getSQLState().startsWith(DATA_EXCEPTION)) {
                throw new IllegalStateException("cannot apply " + events.size() + " events to the job store", e);
            }
            // A value PostgreSQL cannot hold (a NUL in a text, say) fails the whole batch: each event alone then,
            // and the one that fails by itself does not fit.
            return oneByOne(events, nextOffsets, e);
        }
    }

    private Applied oneByOne(List<TrainingEvent> events, Map<Integer, Long> nextOffsets, SQLException batchFailure) {
        if (events.size() == 1) {
            // The store still moves past it, or every restart would read it again and dead-letter it once more.
            try {
                transaction(List.of(), nextOffsets);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot record the events topic's offsets " + nextOffsets, e);
            }
            return new Applied(List.of(), Map.of(0, new UnfitEventException("event " + events.get(0).eventId()
                    + " of job " + events.get(0).jobId() + " cannot be stored: " + batchFailure.getMessage())));
        }
        List<Stored> stored = new ArrayList<>();
        Map<Integer, UnfitEventException> unfit = new HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            Applied one = apply(List.of(events.get(i)), i == events.size() - 1 ? nextOffsets : Map.of());
            stored.addAll(one.stored());
            UnfitEventException reason = one.unfit().get(0);
            if (reason != null) {
                unfit.put(i, reason);
            }
        }
        return new Applied(stored, unfit);
    }

    private Applied transaction(List<TrainingEvent> events, Map<Integer, Long> nextOffsets) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                Applied applied = apply(c, events, nextOffsets);
                c.commit();
                return applied;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private Applied apply(Connection c, List<TrainingEvent> events, Map<Integer, Long> nextOffsets)
            throws SQLException {
        TreeSet<String> jobIds = new TreeSet<>();
        List<String> eventIds = new ArrayList<>();
        for (TrainingEvent e : events) {
            if (e.jobId() != null && e.eventId() != null) {
                jobIds.add(e.jobId());
                eventIds.add(e.eventId());
            }
        }
        lock(c, jobIds);
        Map<String, JobView> views = views(c, jobIds);
        Map<String, Stored> known = known(c, eventIds);
        List<Stored> stored = new ArrayList<>();
        List<Stored> fresh = new ArrayList<>();
        LinkedHashSet<String> changed = new LinkedHashSet<>();
        Map<String, Keyed> keys = new HashMap<>();
        Map<Integer, UnfitEventException> unfit = new HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            TrainingEvent e = events.get(i);
            Stored before = e.eventId() == null ? null : known.get(e.eventId());
            if (before != null) {
                if (before.event().jobId().equals(e.jobId())) {
                    stored.add(before);
                }
                continue;
            }
            JobView previous = e.jobId() == null ? null : views.get(e.jobId());
            JobView next;
            try {
                next = JobViews.next(previous, e, previous == null ? 1 : previous.events() + 1);
            } catch (UnfitEventException reason) {
                unfit.put(i, reason);
                continue;
            }
            Stored now = new Stored(e, (int) next.events());
            views.put(e.jobId(), next);
            known.put(e.eventId(), now);
            changed.add(e.jobId());
            Keyed key = idempotency(e);
            if (key != null) {
                keys.put(e.jobId(), key);
            }
            stored.add(now);
            fresh.add(now);
        }
        writeJobs(c, changed.stream().map(views::get).toList(), keys);
        writeEvents(c, fresh);
        writeOffsets(c, nextOffsets);
        return new Applied(stored, unfit);
    }

    /**
     * Per job, a lock held until the transaction ends, taken in one order by every writer; an advisory lock because
     * a new job has no row to lock yet.
     */
    private static void lock(Connection c, TreeSet<String> jobIds) throws SQLException {
        if (jobIds.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement("select count(pg_advisory_xact_lock(hashtextextended(id, 0)))"
                + " from unnest(?::text[]) with ordinality as j(id, n)")) {
            s.setArray(1, c.createArrayOf("text", jobIds.toArray()));
            s.executeQuery().close();
        }
    }

    private static Map<String, JobView> views(Connection c, TreeSet<String> jobIds) throws SQLException {
        Map<String, JobView> views = new HashMap<>();
        if (jobIds.isEmpty()) {
            return views;
        }
        try (PreparedStatement s = c.prepareStatement("select id, view from jobs where id = any(?)")) {
            s.setArray(1, c.createArrayOf("text", jobIds.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    views.put(rs.getString(1), StoredView.read(rs.getString(2)));
                }
            }
        }
        return views;
    }

    private static Map<String, Stored> known(Connection c, List<String> eventIds) throws SQLException {
        Map<String, Stored> known = new HashMap<>();
        if (eventIds.isEmpty()) {
            return known;
        }
        try (PreparedStatement s = c.prepareStatement("select event, seq from job_events where event_id = any(?)")) {
            s.setArray(1, c.createArrayOf("text", eventIds.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    TrainingEvent e = Messages.fromJson(rs.getString(1), TrainingEvent.class);
                    known.put(e.eventId(), new Stored(e, rs.getInt(2)));
                }
            }
        }
        return known;
    }

    /** The views' rows; a job's idempotency key comes from its accepted event, which {@code keys} has if it is new. */
    private static void writeJobs(Connection c, List<JobView> views, Map<String, Keyed> keys) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("insert into jobs (id, tenant, kind, state, submitted_at,"
                + " dataset, dataset_id, idempotency_key, submission_sha256, view)"
                + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb) on conflict (id) do update set state = excluded.state,"
                + " dataset = excluded.dataset, dataset_id = excluded.dataset_id, view = excluded.view")) {
            for (JobView v : views) {
                Keyed key = keys.get(v.id());
                s.setString(1, v.id());
                s.setString(2, v.tenant());
                s.setString(3, v.kind().name());
                s.setString(4, v.state().wireName());
                s.setTimestamp(5, Timestamp.from(v.submittedAt()));
                s.setString(6, v.dataset());
                s.setString(7, v.datasetId());
                s.setString(8, key == null ? null : key.key());
                s.setString(9, key == null ? null : key.submissionSha256());
                s.setString(10, StoredView.write(v));
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    private static void writeEvents(Connection c, List<Stored> events) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("insert into job_events (event_id, job_id, seq, event)"
                + " values (?, ?, ?, ?::jsonb)")) {
            for (Stored e : events) {
                s.setString(1, e.event().eventId());
                s.setString(2, e.event().jobId());
                s.setInt(3, e.seq());
                s.setString(4, Messages.toJson(e.event()));
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    private static void writeOffsets(Connection c, Map<Integer, Long> nextOffsets) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("insert into applied_offsets (topic_partition, next_offset)"
                + " values (?, ?) on conflict (topic_partition) do update"
                + " set next_offset = greatest(applied_offsets.next_offset, excluded.next_offset)")) {
            for (Map.Entry<Integer, Long> offset : new TreeMap<>(nextOffsets).entrySet()) {
                s.setInt(1, offset.getKey());
                s.setLong(2, offset.getValue());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /** Per partition of the events topic, the offset after the last record applied; none for a partition not read. */
    public Map<Integer, Long> nextOffsets() {
        Map<Integer, Long> offsets = new HashMap<>();
        query("select topic_partition, next_offset from applied_offsets", s -> {
        }, rs -> offsets.put(rs.getInt(1), rs.getLong(2)));
        return offsets;
    }

    public Optional<JobView> view(String jobId) {
        List<JobView> views = new ArrayList<>();
        query("select view from jobs where id = ?", s -> s.setString(1, jobId),
                rs -> views.add(StoredView.read(rs.getString(1))));
        return views.stream().findFirst();
    }

    /** The job's events after the {@code afterSeq}th, in order. */
    public List<Stored> events(String jobId, int afterSeq) {
        List<Stored> events = new ArrayList<>();
        query("select event, seq from job_events where job_id = ? and seq > ? order by seq", s -> {
            s.setString(1, jobId);
            s.setInt(2, afterSeq);
        }, rs -> events.add(new Stored(Messages.fromJson(rs.getString(1), TrainingEvent.class), rs.getInt(2))));
        return events;
    }

    /** The number of the job's event with this id, if the job has one. */
    public Optional<Integer> seq(String jobId, String eventId) {
        List<Integer> seq = new ArrayList<>();
        query("select seq from job_events where event_id = ? and job_id = ?", s -> {
            s.setString(1, eventId);
            s.setString(2, jobId);
        }, rs -> seq.add(rs.getInt(1)));
        return seq.stream().findFirst();
    }

    /** A submission accepted under an idempotency key: its job, and the hash of what was submitted. */
    public record Keyed(String jobId, String key, String submissionSha256) {
    }

    /** The submission (training job or sweep) first accepted under this tenant's idempotency key, if any. */
    public Optional<Keyed> byIdempotencyKey(String tenant, String key) {
        List<Keyed> keyed = new ArrayList<>();
        query("select id, submission_sha256 from jobs where tenant = ? and idempotency_key = ?"
                + " order by submitted_at, id limit 1", s -> {
            s.setString(1, tenant);
            s.setString(2, key);
        }, rs -> keyed.add(new Keyed(rs.getString(1), key, rs.getString(2))));
        return keyed.stream().findFirst();
    }

    /** The tenant's queued and running jobs, of every kind. */
    public List<JobView> active(String tenant) {
        List<JobView> views = new ArrayList<>();
        query("select view from jobs where tenant = ? and state in ('queued', 'running') order by id",
                s -> s.setString(1, tenant), rs -> views.add(StoredView.read(rs.getString(1))));
        return views;
    }

    /** How many jobs are in each state. */
    public Map<JobState, Long> countByState() {
        Map<JobState, Long> counts = new EnumMap<>(JobState.class);
        for (JobState state : JobState.values()) {
            counts.put(state, 0L);
        }
        query("select state, count(*) from jobs group by state", s -> {
        }, rs -> counts.put(JobState.valueOf(rs.getString(1).toUpperCase(Locale.ROOT)), rs.getLong(2)));
        return counts;
    }

    /** One page of a tenant's jobs of one kind, newest first; {@link JobPages} builds the query. */
    public JobPages.Page page(JobPages.Query query, int offset, int limit) {
        List<JobView> items = new ArrayList<>();
        List<JobPages.Cursor> cursors = new ArrayList<>();
        // The page's ids first, from the index alone, then their views: an offset skips index entries, not rows
        // (skipping 20,000 rows took 500 ms, their index entries 8 ms).
        query("select j.view, j.submitted_at, j.id from jobs j join (select id from jobs where " + query.where()
                + " and " + query.keyset() + " order by submitted_at desc, id desc offset ? limit ?) page using (id)"
                + " order by j.submitted_at desc, j.id desc", s -> {
            int n = query.bind(s, 1, true);
            s.setInt(n, offset);
            s.setInt(n + 1, limit + 1);
        }, rs -> {
            items.add(StoredView.read(rs.getString(1)));
            cursors.add(new JobPages.Cursor(rs.getTimestamp(2).toInstant(), rs.getString(3)));
        });
        long[] total = new long[1];
        query("select count(*) from jobs where " + query.where(), s -> query.bind(s, 1, false),
                rs -> total[0] = rs.getLong(1));
        boolean more = items.size() > limit;
        return new JobPages.Page(more ? items.subList(0, limit) : items, total[0],
                more ? cursors.get(limit - 1) : null);
    }

    private static Keyed idempotency(TrainingEvent e) {
        if (e.type() != TrainingEventType.ACCEPTED) {
            return null;
        }
        if (e.request() != null && e.request().idempotencyKey() != null) {
            return new Keyed(e.jobId(), e.request().idempotencyKey(), e.request().submissionSha256());
        }
        if (e.sweep() != null && e.sweep().idempotencyKey() != null) {
            return new Keyed(e.jobId(), e.sweep().idempotencyKey(), e.sweep().submissionSha256());
        }
        return null;
    }

    interface Binder {
        void bind(PreparedStatement s) throws SQLException;
    }

    interface Row {
        void read(ResultSet rs) throws SQLException;
    }

    private void query(String sql, Binder binder, Row row) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            binder.bind(s);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    row.read(rs);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("job store query failed: " + sql, e);
        }
    }

    /**
     * The view as stored: the JSON a client gets leaves out the batch request, the sweep and its trials, so they
     * travel beside it.
     */
    record StoredView(JobView view, BatchPredictionRequest batchPrediction, SweepRequest sweep,
                      List<SweepTrial> trials) {
        static String write(JobView v) {
            return Messages.toJson(new StoredView(v, v.batchPrediction(), v.sweep(), v.trials()));
        }

        static JobView read(String json) {
            StoredView s;
            try {
                s = Messages.mapper().readValue(json, StoredView.class);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("the job store holds a view it cannot read", e);
            }
            JobView v = s.view();
            return new JobView(v.id(), v.tenant(), v.state(), v.phase(), v.dataset(), v.datasetId(), v.backbone(),
                    v.hyperparameters(), v.submittedAt(), v.updatedAt(), v.latestMetrics(), v.extraction(),
                    v.modelId(), v.bestEpoch(), v.scores(), v.baseline(), v.reason(), v.cancelRequested(),
                    v.events(), v.featuresOnly(), s.batchPrediction(), s.sweep(), s.trials());
        }
    }
}
