package dev.transferlab.api.jobs;

import dev.transferlab.api.auth.Callers;
import dev.transferlab.api.auth.Roles;
import dev.transferlab.api.http.ProblemException;
import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.StorageLayout;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import java.io.InputStream;

/** A batch prediction job: its state, its events, cancelling it, and its results once it completed. */
@Path("/v1/batch-predictions")
public class BatchPredictionResource {

    @Inject
    JobEventStream events;

    @Inject
    TrainingJobs jobs;

    @Inject
    Callers callers;

    @Inject
    ObjectStore store;

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public BatchPredictionView get(@PathParam("id") String id) {
        return BatchPredictionView.of(jobs.visible(id, callers.current(), JobKind.BATCH_PREDICTION));
    }

    @DELETE
    @RolesAllowed(Roles.TRAINER)
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "202", description = "Cancellation asked for: the job ends with a cancelled event",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = BatchPredictionView.class)))
    @APIResponse(responseCode = "409", description = "The job already ended")
    @Blocking // waits for the transaction, as a submission does
    public Response cancel(@PathParam("id") String id) {
        return Response.accepted(BatchPredictionView.of(jobs.cancel(id, callers.current(), JobKind.BATCH_PREDICTION)))
                .build();
    }

    /** The same as {@code DELETE}, for clients that cannot send one. */
    @POST
    @RolesAllowed(Roles.TRAINER)
    @Path("{id}/cancel")
    @Produces(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "202", description = "Cancellation asked for: the job ends with a cancelled event",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = BatchPredictionView.class)))
    @APIResponse(responseCode = "409", description = "The job already ended")
    @Blocking
    public Response cancelByPost(@PathParam("id") String id) {
        return cancel(id);
    }

    /** As a training job's events: SSE, resumable with {@code Last-Event-ID}, ending after the terminal event. */
    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking // the history is read from the store
    public Multi<OutboundSseEvent> events(@PathParam("id") String id,
            @Parameter(description = "The id of the last event received: the stream resumes after it")
            @HeaderParam("Last-Event-ID") String lastEventId,
                                          @Context Sse sse) {
        return events.sse(jobs.visible(id, callers.current(), JobKind.BATCH_PREDICTION), lastEventId, sse);
    }

    /** One JSON object per image: {@code path}, {@code label}, {@code probabilities} by class, or {@code error}. */
    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("{id}/results.jsonl")
    @Produces("application/x-ndjson")
    @Blocking
    @APIResponse(responseCode = "200", description = "One JSON object per image",
            content = @Content(mediaType = "application/x-ndjson", schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "409", description = "The job has not completed")
    public Response jsonl(@PathParam("id") String id) {
        return results(id, "jsonl");
    }

    /** {@code path,label}, one probability column per class in the model's order, then {@code error}. */
    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("{id}/results.csv")
    @Produces("text/csv")
    @Blocking
    @APIResponse(responseCode = "200", description = "One row per image",
            content = @Content(mediaType = "text/csv", schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "409", description = "The job has not completed")
    public Response csv(@PathParam("id") String id) {
        return results(id, "csv");
    }

    private Response results(String id, String format) {
        JobView job = jobs.visible(id, callers.current(), JobKind.BATCH_PREDICTION);
        if (job.state() != JobState.COMPLETED) {
            throw new ProblemException(Response.Status.CONFLICT, "batch prediction " + id + " is "
                    + job.state().wireName() + "; its results are there once it has completed");
        }
        InputStream results = store.open(store.inDefaultBucket(StorageLayout.batchPredictionResults(job.tenant(),
                id, format))).orElseThrow(() -> new ProblemException(Response.Status.NOT_FOUND, "the results of "
                + "batch prediction " + id + " are gone from storage"));
        return Response.ok(results).header("Content-Disposition", "attachment; filename=\"" + id + "." + format
                + "\"").build();
    }
}
