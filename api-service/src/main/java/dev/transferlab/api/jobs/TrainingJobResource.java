package dev.transferlab.api.jobs;

import dev.transferlab.api.auth.Callers;
import dev.transferlab.api.auth.Roles;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.transferlab.common.messages.BackboneLimits;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
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
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import java.util.List;
import java.util.Locale;

@Path("/v1/training-jobs")
public class TrainingJobResource {

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

    /**
     * A page of jobs.
     *
     * @param next the cursor for the page after this one ({@code after=next}); absent on the last page
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record JobPage(List<JobView> items, long total, int offset, int limit, String next) {
    }

    @POST
    @RolesAllowed(Roles.TRAINER)
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking // a dataset id is looked up in object storage
    @APIResponse(responseCode = "202", description = "The job is queued for a worker",
            headers = @Header(name = "Location", description = "The job", schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "200", description = "An earlier request with this Idempotency-Key made this job",
            headers = @Header(name = "Location", description = "The job", schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "409", description = "The Idempotency-Key was used for a different request,"
            + " or one with it is being processed")
    @APIResponse(responseCode = "429", description = "The tenant has as many queued and running jobs as its"
            + " quota allows")
    public Response submit(@Valid @NotNull(message = "a JSON body is required") TrainingJobSubmission request,
                                @Parameter(description = "Makes a retry safe: a second request with the same key"
                                        + " and body answers the first one's job (200); with another body, 409")
                                @HeaderParam("Idempotency-Key") @Size(min = 1, max = 255) String idempotencyKey,
                                @Context UriInfo uri) {
        // Judged from the knobs, before a worker spends minutes building a network of billions of parameters.
        backboneLimits.budget().check(request.backboneSpec(), request.preprocessingSpec().crop());
        TrainingJobs.Submitted submitted = jobs.submit(request, callers.current(), idempotencyKey).await()
                .atMost(TrainingJobs.SUBMIT_WAIT);
        return Response.status(submitted.created() ? Response.Status.ACCEPTED : Response.Status.OK)
                .entity(submitted.job())
                .location(uri.getAbsolutePathBuilder().path(submitted.job().id()).build()).build();
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Produces(MediaType.APPLICATION_JSON)
    public JobPage list(@QueryParam("state") @Pattern(regexp = "queued|running|completed|failed|cancelled",
                                message = "must be queued, running, completed, failed or cancelled") String state,
                        @QueryParam("dataset") String dataset,
                        @Parameter(description = "A page's 'next': the page after it")
                        @QueryParam("after") String after,
                        @QueryParam("offset") @DefaultValue("0") @Min(0) int offset,
                        @QueryParam("limit") @DefaultValue("50") @Min(1) @Max(500) int limit) {
        JobPages.Page page = projection.store().page(new JobPages.Query(callers.current().tenant(), JobKind.TRAINING,
                state == null ? null : JobState.valueOf(state.toUpperCase(Locale.ROOT)), dataset,
                JobPages.Cursor.decode(after)), offset, limit);
        return new JobPage(page.items(), page.total(), offset, limit, page.nextCursor());
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public JobView get(@PathParam("id") String id) {
        return jobs.visible(id, callers.current(), JobKind.TRAINING);
    }

    @DELETE
    @RolesAllowed(Roles.TRAINER)
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "202", description = "Cancellation asked for: the job ends with a cancelled event",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "409", description = "The job already ended")
    @Blocking // waits for the transaction, as a submission does
    public Response cancel(@PathParam("id") String id) {
        return Response.accepted(jobs.cancel(id, callers.current(), JobKind.TRAINING)).build();
    }

    /**
     * The job's events as SSE: history first (or only what follows {@code Last-Event-ID}), then live events, with a
     * comment line every heartbeat interval so proxies keep an idle stream open. The stream ends after the terminal
     * event, or with an {@code error} event when the client is too slow to keep up.
     */
    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking // the history is read from the store
    public Multi<OutboundSseEvent> events(@PathParam("id") String id,
            @Parameter(description = "The id of the last event received: the stream resumes after it")
            @HeaderParam("Last-Event-ID") String lastEventId,
                                          @Context Sse sse) {
        return events.sse(jobs.visible(id, callers.current(), JobKind.TRAINING), lastEventId, sse);
    }
}
