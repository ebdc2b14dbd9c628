-- The job store (JobStore): each job's current view, its events in order, and how far the events topic was applied.

-- A job as its events left it. view is JobStore's JSON of the JobView; the columns beside it are what queries select
-- and sort by.
create table jobs (
    id                text primary key,
    tenant            text        not null,
    kind              text        not null,
    state             text        not null,
    submitted_at      timestamptz not null,
    dataset           text,
    dataset_id        text,
    idempotency_key   text,
    submission_sha256 text,
    view              jsonb       not null
);
-- Listing, newest first, one page after another (keyset pagination on submitted_at, id), with or without a state.
create index jobs_by_tenant on jobs (tenant, kind, submitted_at desc, id desc);
create index jobs_by_tenant_state on jobs (tenant, kind, state, submitted_at desc, id desc);
-- The quota check and dataset deletion look at queued and running jobs only: few, whatever the history.
create index jobs_active on jobs (tenant) where state in ('queued', 'running');
-- Not unique: two replicas may accept a key at the same moment; the earlier submission is the key's.
create index jobs_by_idempotency_key on jobs (tenant, idempotency_key) where idempotency_key is not null;

-- Every event once (delivery is at least once: an event id seen before is skipped), numbered per job in the order
-- the store applied them; SSE clients resume by that number.
create table job_events (
    event_id text primary key,
    job_id   text    not null references jobs (id),
    seq      integer not null,
    event    jsonb   not null,
    unique (job_id, seq)
);

-- Per partition of the events topic, the offset after the last record applied (or dead-lettered): a replica starts
-- reading there, not at the topic's beginning.
create table applied_offsets (
    topic_partition integer primary key,
    next_offset     bigint not null
);
