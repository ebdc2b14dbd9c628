package dev.transferlab.api.models.v2;

import dev.transferlab.api.auth.Callers;
import dev.transferlab.api.auth.Roles;
import dev.transferlab.api.http.ProblemException;
import dev.transferlab.api.models.v2.OpenInferenceMessages.InferRequest;
import dev.transferlab.api.models.v2.OpenInferenceMessages.InferResponse;
import dev.transferlab.api.models.v2.OpenInferenceMessages.Live;
import dev.transferlab.api.models.v2.OpenInferenceMessages.ModelMetadata;
import dev.transferlab.api.models.v2.OpenInferenceMessages.ModelReady;
import dev.transferlab.api.models.v2.OpenInferenceMessages.Ready;
import dev.transferlab.api.models.v2.OpenInferenceMessages.ServerMetadata;
import dev.transferlab.common.messages.Ids;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.health.SmallRyeHealthReporter;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import java.io.IOException;
import java.util.List;

/**
 * The Open Inference Protocol (KServe v2) REST endpoints, so that existing v2 clients can call the models. Health and
 * server metadata are open, as /q/health is; a model's metadata needs the viewer role, inference the trainer role,
 * and both act for the caller's tenant as /v1 does.
 */
@Path("/v2")
@Produces(MediaType.APPLICATION_JSON)
public class OpenInferenceResource {

    @Inject
    OpenInference inference;

    @Inject
    Callers callers;

    @Inject
    SmallRyeHealthReporter health;

    @Inject
    ObjectMapper json;

    @ConfigProperty(name = "quarkus.application.name")
    String name;

    @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown")
    String version;

    @GET
    @PermitAll
    public ServerMetadata server() {
        return new ServerMetadata(name, version, List.of());
    }

    @GET
    @PermitAll
    @Path("health/live")
    public Live live() {
        return new Live(true);
    }

    /** Ready as /q/health/ready is; not ready is a 4xx, as the protocol has it. */
    @GET
    @PermitAll
    @Path("health/ready")
    @APIResponse(responseCode = "200", description = "Ready",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Ready.class)))
    @APIResponse(responseCode = "400", description = "Not ready",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Ready.class)))
    public Uni<Response> ready() {
        return health.getReadinessAsync().map(report -> report.isDown()
                ? Response.status(Response.Status.BAD_REQUEST).entity(new Ready(false)).build()
                : Response.ok(new Ready(true)).build());
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("models/{id}")
    @Blocking
    public ModelMetadata model(@PathParam("id") String id) {
        return inference.metadata(callers.current().tenant(), modelId(id));
    }

    /** A stored model is ready: any worker loads it on its first prediction. */
    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("models/{id}/ready")
    @Blocking
    public ModelReady modelReady(@PathParam("id") String id) {
        inference.metadata(callers.current().tenant(), modelId(id));
        return new ModelReady(id, true);
    }

    /** The body is JSON whatever its Content-Type says: v2 clients do not all send one. */
    @POST
    @RolesAllowed(Roles.TRAINER)
    @Path("models/{id}/infer")
    @Consumes(MediaType.WILDCARD)
    @Blocking
    @APIResponse(responseCode = "200", description = "The outputs",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = InferResponse.class)))
    @APIResponse(responseCode = "429", description = "The tenant sent more predictions per second than its"
            + " quota allows")
    @APIResponse(responseCode = "503", description = "Every worker is busy")
    @APIResponse(responseCode = "504", description = "No worker answered in time")
    public Uni<InferResponse> infer(@PathParam("id") String id, byte[] body) throws IOException {
        String tenant = callers.current().tenant();
        return inference.infer(tenant, modelId(id), json.readValue(body, InferRequest.class));
    }

    private static String modelId(String id) {
        if (!Ids.isValid(id)) {
            throw ProblemException.notFound("model", id);
        }
        return id;
    }
}
