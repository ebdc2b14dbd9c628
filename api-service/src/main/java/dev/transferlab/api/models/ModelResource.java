package dev.transferlab.api.models;

import dev.transferlab.api.auth.Callers;
import dev.transferlab.api.auth.Roles;
import dev.transferlab.api.http.ProblemException;
import dev.transferlab.common.messages.Ids;
import dev.transferlab.common.messages.InferenceResult;
import dev.transferlab.common.model.EvaluationReport;
import dev.transferlab.common.model.ModelManifest;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
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
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;

@Path("/v1/models")
public class ModelResource {

    @Inject
    Models models;

    @Inject
    Predictions predictions;

    @Inject
    Callers callers;

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    public ModelManifest get(@PathParam("id") String id) {
        return models.manifest(callers.current().tenant(), modelId(id));
    }

    /** How the stored model does on its validation and test sets: README's "Evaluation report". */
    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("{id}/evaluation")
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    public EvaluationReport evaluation(@PathParam("id") String id) {
        return models.evaluation(callers.current().tenant(), modelId(id));
    }

    /** The whole network as one safetensors file for PyTorch; README's load_export.py loads it. */
    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("{id}/export")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    @Blocking
    public Response export(@PathParam("id") String id) {
        InputStream file = models.export(callers.current().tenant(), modelId(id));
        return Response.ok(file).header("Content-Disposition", "attachment; filename=\"" + id + ".safetensors\"")
                .build();
    }

    /** The image as the raw body, e.g. {@code curl --data-binary @cat.jpg -H 'Content-Type: image/jpeg'}. */
    @POST
    @RolesAllowed(Roles.TRAINER)
    @Path("{id}/predictions")
    @Consumes({"image/jpeg", "image/png", MediaType.APPLICATION_OCTET_STREAM})
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    public Uni<PredictionResponse> predict(@PathParam("id") String id, byte[] image) {
        return predictions.predict(callers.current().tenant(), modelId(id), image);
    }

    /** The image as the form field {@code image}, e.g. {@code curl -F image=@cat.jpg}. */
    @POST
    @RolesAllowed(Roles.TRAINER)
    @Path("{id}/predictions")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    public Uni<PredictionResponse> predictForm(@PathParam("id") String id, @RestForm("image") FileUpload image) {
        modelId(id);
        if (image == null) {
            throw new ProblemException(Response.Status.BAD_REQUEST,
                    "the multipart form needs a file field named 'image'");
        }
        try {
            return predictions.predict(callers.current().tenant(), id, Files.readAllBytes(image.uploadedFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A path that cannot name a model (it breaks the id rule) names no model: 404, as for an unknown one. */
    private static String modelId(String id) {
        if (!Ids.isValid(id)) {
            throw ProblemException.notFound("model", id);
        }
        return id;
    }

    /** What a prediction answers: classes by probability, best first. */
    public record PredictionResponse(String modelId, String label, double probability,
                                     java.util.List<InferenceResult.Prediction> predictions) {
    }
}
