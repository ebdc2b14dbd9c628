package dev.transferlab.api.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.transferlab.api.auth.Callers;
import dev.transferlab.api.auth.Roles;
import dev.transferlab.common.messages.BackboneLimits;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

import java.util.List;

/**
 * Hyperparameter sweeps: submitting one, its state with every finished trial, its live leaderboard (the job's events
 * as SSE, one {@code trial-completed} per trial), cancelling it. Roles and tenant scoping are a training job's.
 */
@Path("/v1/sweeps")
public class SweepResource {

    @Inject
    Sweeps sweeps;

    @Inject
    TrainingJobs jobs;

    @Inject
    JobProjection projection;

    @Inject
    JobEventStream events;

    @Inject
    Callers callers;

    @Inject
    BackboneLimits backboneLimits;

    /** A page of sweeps; {@code next} as a page of training jobs has it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SweepPage(List<SweepView> items, long total, int offset, int limit, String next) {
    }

    @POST
    @RolesAllowed(Roles.TRAINER)
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking // a dataset id is looked up in object storage
    public Response submit(@Valid @NotNull(message = "a JSON body is required") SweepSubmission request,
                                @HeaderParam("Idempotency-Key") @Size(min = 1, max = 255) String idempotencyKey,
                                @Context UriInfo uri) {
        backboneLimits.budget().check(request.base().backboneSpec(), request.base().preprocessingSpec().crop());
        TrainingJobs.Submitted submitted = sweeps.submit(request, callers.current(), idempotencyKey).await()
                .atMost(TrainingJobs.SUBMIT_WAIT);
        return Response.status(submitted.created() ? Response.Status.ACCEPTED : Response.Status.OK)
                .entity(SweepView.of(submitted.job()))
                .location(uri.getAbsolutePathBuilder().path(submitted.job().id()).build()).build();
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Produces(MediaType.APPLICATION_JSON)
    public SweepPage list(@QueryParam("after") String after,
                          @QueryParam("offset") @DefaultValue("0") @Min(0) int offset,
                          @QueryParam("limit") @DefaultValue("50") @Min(1) @Max(500) int limit) {
        JobPages.Page page = projection.store().page(new JobPages.Query(callers.current().tenant(), JobKind.SWEEP,
                null, null, JobPages.Cursor.decode(after)), offset, limit);
        return new SweepPage(page.items().stream().map(SweepView::of).toList(), page.total(), offset, limit,
                page.nextCursor());
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public SweepView get(@PathParam("id") String id) {
        return SweepView.of(jobs.visible(id, callers.current(), JobKind.SWEEP));
    }

    @DELETE
    @RolesAllowed(Roles.TRAINER)
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking // waits for the transaction, as a submission does
    public Response cancel(@PathParam("id") String id) {
        return Response.accepted(SweepView.of(jobs.cancel(id, callers.current(), JobKind.SWEEP))).build();
    }

    /** The same as {@code DELETE}, for clients that cannot send one. */
    @POST
    @RolesAllowed(Roles.TRAINER)
    @Path("{id}/cancel")
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    public Response cancelByPost(@PathParam("id") String id) {
        return cancel(id);
    }

    /** The leaderboard, live: the sweep's events as SSE, resumable with {@code Last-Event-ID}. */
    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking // the history is read from the store
    public Multi<OutboundSseEvent> events(@PathParam("id") String id, @HeaderParam("Last-Event-ID") String lastEventId,
                                          @Context Sse sse) {
        return events.sse(jobs.visible(id, callers.current(), JobKind.SWEEP), lastEventId, sse);
    }
}
