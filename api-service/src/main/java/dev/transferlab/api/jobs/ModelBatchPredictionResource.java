package dev.transferlab.api.jobs;

import dev.transferlab.api.auth.Callers;
import dev.transferlab.api.auth.Roles;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import java.net.URI;

/** Starts a batch prediction job with a model; the job is then at {@code /v1/batch-predictions/{jobId}}. */
@Path("/v1/models/{id}/batch-predictions")
public class ModelBatchPredictionResource {

    @Inject
    BatchPredictions batchPredictions;

    @Inject
    Callers callers;

    @POST
    @RolesAllowed(Roles.TRAINER)
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking // the model's manifest and a dataset id are looked up in object storage
    @APIResponse(responseCode = "202", description = "The job is queued for a worker",
            headers = @Header(name = "Location", description = "The job", schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = BatchPredictionView.class)))
    @APIResponse(responseCode = "429", description = "The tenant has as many queued and running jobs as its"
            + " quota allows")
    public Response submit(@PathParam("id") String modelId,
                                @Valid @NotNull(message = "a JSON body is required") BatchPredictionSubmission body) {
        BatchPredictionView job = batchPredictions.submit(modelId, body, callers.current()).await()
                .atMost(TrainingJobs.SUBMIT_WAIT);
        return Response.status(Response.Status.ACCEPTED).entity(job).location(URI.create(job.links().get("self")))
                .build();
    }
}
