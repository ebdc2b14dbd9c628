package dev.transferlab.api.jobs;

import dev.transferlab.api.http.ProblemException;
import dev.transferlab.api.http.Tenants;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.TrainingEvent;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

@Path("/v1/training-jobs")
public class TrainingJobResource {

    @Inject
    TrainingJobs jobs;

    @Inject
    JobProjection projection;

    @Inject
    Tenants tenants;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking // a dataset id is looked up in object storage
    public Uni<Response> submit(@Valid @NotNull(message = "a JSON body is required") TrainingJobSubmission request,
                                @HeaderParam(Tenants.HEADER) String tenant, @Context UriInfo uri) {
        return jobs.submit(request, tenants.resolve(tenant)).map(job -> Response.accepted(job)
                .location(uri.getAbsolutePathBuilder().path(job.id()).build()).build());
    }

    @GET
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public JobView get(@PathParam("id") String id) {
        return projection.view(id).orElseThrow(() -> ProblemException.notFound("training job", id));
    }

    @GET
    @Path("{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> events(@PathParam("id") String id, @Context Sse sse) {
        Multi<TrainingEvent> events = projection.follow(id)
                .orElseThrow(() -> ProblemException.notFound("training job", id));
        return events.map(e -> sse.newEventBuilder()
                .id(e.eventId())
                .name(e.type().wireName())
                                // Already JSON, in exactly the form it has on Kafka.
                .mediaType(MediaType.TEXT_PLAIN_TYPE)
                .data(Messages.toJson(e))
                .build());
    }
}
