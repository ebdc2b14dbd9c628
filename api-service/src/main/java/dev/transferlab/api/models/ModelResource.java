package dev.transferlab.api.models;

import dev.transferlab.api.auth.Callers;
import dev.transferlab.api.auth.Roles;
import dev.transferlab.api.http.ProblemException;
import dev.transferlab.api.images.DatasetImages;
import dev.transferlab.common.messages.Ids;
import dev.transferlab.common.messages.InferenceResult;
import dev.transferlab.common.model.EvaluationReport;
import dev.transferlab.common.model.ModelManifest;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;

@Path("/v1/models")
public class ModelResource {

    @Inject
    Models models;

    @Inject
    Predictions predictions;

    @Inject
    DatasetImages images;

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

    /** A PNG thumbnail of an image of the model's dataset, by its path there (as the evaluation names it). */
    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("{id}/thumbnails")
    @Produces("image/png")
    @Blocking
    public RestResponse<byte[]> thumbnail(@PathParam("id") String id, @RestQuery String path,
                                          @RestQuery @DefaultValue("128") int size) {
        String dataset = models.datasetLocation(callers.current().tenant(), modelId(id));
        return DatasetImages.cached(images.thumbnail(dataset, path, size));
    }

    /** The whole network as one safetensors file for PyTorch; README's load_export.py loads it. */
    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("{id}/export")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    @Blocking
    @APIResponse(responseCode = "200", description = "The network as one safetensors file",
            content = @Content(mediaType = MediaType.APPLICATION_OCTET_STREAM,
                    schema = @Schema(type = SchemaType.STRING, format = "binary")))
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
    @APIResponse(responseCode = "200", description = "Classes by probability, best first",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = PredictionResponse.class)))
    @APIResponse(responseCode = "429", description = "The tenant sent more predictions per second than its"
            + " quota allows")
    @APIResponse(responseCode = "503", description = "Every worker is busy")
    @APIResponse(responseCode = "504", description = "No worker answered in time")
    public Uni<PredictionResponse> predict(@PathParam("id") String id, byte[] image) {
        return predictions.predict(callers.current().tenant(), modelId(id), image);
    }

    /**
     * The image as the form field {@code image} ({@code curl -F image=@cat.jpg}), answered as {@link #predict}; or
     * many, each a field {@code images} ({@code curl -F images=@cat.jpg -F images=@dog.png}), answered with one
     * result per image, in order.
     */
    @POST
    @RolesAllowed(Roles.TRAINER)
    @Path("{id}/predictions")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    @APIResponse(responseCode = "200", description = "For the field image, its prediction; for images, one"
            + " result per image, in order",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(oneOf = {PredictionResponse.class, ImageResult.Many.class})))
    @APIResponse(responseCode = "429", description = "The tenant sent more predictions per second than its"
            + " quota allows")
    @APIResponse(responseCode = "503", description = "Every worker is busy")
    @APIResponse(responseCode = "504", description = "No worker answered in time")
    public Uni<Response> predictForm(@PathParam("id") String id, @RestForm("image") FileUpload image,
                                     @RestForm("images") List<FileUpload> images) {
        modelId(id);
        String tenant = callers.current().tenant();
        images = images == null ? List.of() : images;
        if (image != null && images.isEmpty()) {
            return predictions.predict(tenant, id, bytes(image)).map(Response::ok).map(Response.ResponseBuilder::build);
        }
        if (image != null || images.isEmpty()) {
            throw new ProblemException(Response.Status.BAD_REQUEST, "the multipart form needs one file field named"
                    + " 'image', or one or more named 'images'");
        }
        return predictions.predictEach(tenant, id, images.stream().map(ModelResource::bytes).toList())
                .map(Response::ok).map(Response.ResponseBuilder::build);
    }

    private static byte[] bytes(FileUpload upload) {
        try {
            return Files.readAllBytes(upload.uploadedFile());
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
                                     List<InferenceResult.Prediction> predictions) {
    }
}
