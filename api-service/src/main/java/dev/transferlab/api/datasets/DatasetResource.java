package dev.transferlab.api.datasets;

import dev.transferlab.api.auth.Callers;
import dev.transferlab.api.auth.Roles;
import dev.transferlab.api.http.ProblemException;
import dev.transferlab.api.images.DatasetImages;
import dev.transferlab.api.jobs.JobView;
import dev.transferlab.api.jobs.TrainingJobSubmission;
import dev.transferlab.api.jobs.TrainingJobs;
import dev.transferlab.common.dataset.DatasetManifest;
import dev.transferlab.common.model.LearnabilityBaseline;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

@Path("/v1/datasets")
@Produces(MediaType.APPLICATION_JSON)
public class DatasetResource {
    private static final int NAME_MAX = 200;
    static final String BASELINE_REFUSED = "Baseline-Job-Refused";
    private static final String BASELINE = "true: also queue a features-only training job for the new dataset, so"
            + " that its features are cached and its learnability baseline computed before anyone trains on it";

    @Inject
    DatasetUploads uploads;

    @Inject
    DatasetRegistrations registrations;

    @Inject
    Datasets datasets;

    @Inject
    DatasetImages images;

    @Inject
    Callers callers;

    @Inject
    TrainingJobs trainingJobs;

    /** The archive as the raw body, e.g. {@code curl --data-binary @pets.zip -H 'Content-Type: application/zip'}. */
    @POST
    @RolesAllowed(Roles.TRAINER)
    @Consumes({"application/zip", "application/gzip", "application/x-gzip", "application/x-compressed-tar",
            MediaType.APPLICATION_OCTET_STREAM})
    @Blocking
    @APIResponse(responseCode = "201", description = "The dataset, checked and counted",
            headers = {@Header(name = "Location", description = "The dataset",
                    schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "Link", description = "With baseline=true: the features-only training job that"
                            + " computes the dataset's features and learnability baseline, rel=\"baseline-job\"",
                            schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = BASELINE_REFUSED, description = "With baseline=true, when that job could not be"
                            + " queued (the tenant's active-jobs quota): why",
                            schema = @Schema(type = SchemaType.STRING))},
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = DatasetManifest.class)))
    @APIResponse(responseCode = "429", description = "The tenant's storage quota would be exceeded")
    public Response upload(InputStream body, @RestQuery String name,
                           @Parameter(description = BASELINE) @RestQuery boolean baseline, @Context UriInfo uri) {
        return created(uploads.upload(callers.current(), name(name), body), uri, baseline);
    }

    /** The archive as the form field {@code file}, e.g. {@code curl -F file=@pets.zip}. */
    @POST
    @RolesAllowed(Roles.TRAINER)
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Blocking
    @APIResponse(responseCode = "201", description = "The dataset, checked and counted",
            headers = {@Header(name = "Location", description = "The dataset",
                    schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "Link", description = "With baseline=true: the features-only training job that"
                            + " computes the dataset's features and learnability baseline, rel=\"baseline-job\"",
                            schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = BASELINE_REFUSED, description = "With baseline=true, when that job could not be"
                            + " queued (the tenant's active-jobs quota): why",
                            schema = @Schema(type = SchemaType.STRING))},
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = DatasetManifest.class)))
    @APIResponse(responseCode = "429", description = "The tenant's storage quota would be exceeded")
    public Response uploadForm(@RestForm("file") FileUpload file, @RestQuery String name,
                               @Parameter(description = BASELINE) @RestQuery boolean baseline,
                               @Context UriInfo uri) {
        if (file == null) {
            throw new ProblemException(Response.Status.BAD_REQUEST, "the multipart form needs a file field 'file'");
        }
        try (InputStream body = Files.newInputStream(file.uploadedFile())) {
            return created(uploads.upload(callers.current(), name(name != null ? name : file.fileName()), body), uri,
                    baseline);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Registers images already in object storage, e.g. {@code {"location": "s3://bucket/pets/"}}. */
    @POST
    @RolesAllowed(Roles.TRAINER)
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    @APIResponse(responseCode = "201", description = "The dataset, checked and counted",
            headers = {@Header(name = "Location", description = "The dataset",
                    schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "Link", description = "With baseline=true: the features-only training job that"
                            + " computes the dataset's features and learnability baseline, rel=\"baseline-job\"",
                            schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = BASELINE_REFUSED, description = "With baseline=true, when that job could not be"
                            + " queued (the tenant's active-jobs quota): why",
                            schema = @Schema(type = SchemaType.STRING))},
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = DatasetManifest.class)))
    public Response register(@Valid @NotNull(message = "a JSON body is required") DatasetRegistration request,
                             @Parameter(description = BASELINE) @RestQuery boolean baseline,
                             @Context UriInfo uri) {
        return created(registrations.register(callers.current(), name(request.name()), request.location()),
                uri, baseline);
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Blocking
    public List<DatasetManifest> list() {
        return datasets.list(callers.current().tenant());
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("{id}")
    @Blocking
    public DatasetManifest get(@PathParam("id") String id) {
        return datasets.get(callers.current().tenant(), id);
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("{id}/baselines")
    @Blocking
    public List<LearnabilityBaseline> baselines(@PathParam("id") String id) {
        return datasets.baselines(callers.current().tenant(), id);
    }

    /** A few image paths per class, training images first, for the console's sample grid. */
    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("{id}/samples")
    @Blocking
    public Map<String, List<String>> samples(@PathParam("id") String id,
                                             @RestQuery @DefaultValue("8") int perClass) {
        return images.samples(datasets.get(callers.current().tenant(), id).location(), perClass);
    }

    /** A PNG thumbnail of one of the dataset's images, by its path in the dataset. */
    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("{id}/thumbnails")
    @Produces("image/png")
    @Blocking
    public RestResponse<byte[]> thumbnail(@PathParam("id") String id, @RestQuery String path,
                                          @RestQuery @DefaultValue("128") int size) {
        DatasetManifest manifest = datasets.get(callers.current().tenant(), id);
        return DatasetImages.cached(images.thumbnail(manifest.location(), path, size));
    }

    @DELETE
    @RolesAllowed(Roles.TRAINER)
    @Path("{id}")
    @Blocking
    @APIResponse(responseCode = "204", description = "The dataset and its files are deleted")
    public Response delete(@PathParam("id") String id) {
        datasets.delete(callers.current(), id);
        return Response.noContent().build();
    }

    private Response created(DatasetManifest manifest, UriInfo uri, boolean baseline) {
        Response.ResponseBuilder answer = Response.status(Response.Status.CREATED).entity(manifest)
                .location(uri.getBaseUriBuilder().path("v1/datasets").path(manifest.id()).build());
        if (baseline) {
            try {
                JobView job = trainingJobs.submit(TrainingJobSubmission.featuresOf(manifest.id()), callers.current(),
                        null).await().atMost(TrainingJobs.SUBMIT_WAIT).job();
                answer.link(uri.getBaseUriBuilder().path("v1/training-jobs").path(job.id()).build(), "baseline-job");
            } catch (ProblemException e) {
                // The dataset exists either way; the job can be submitted later (featuresOnly on /v1/training-jobs).
                answer.header(BASELINE_REFUSED, e.getMessage());
            }
        }
        return answer.build();
    }

    private static String name(String name) {
        if (name == null || name.isBlank()) {
            return null;
        }
        return name.length() > NAME_MAX ? name.substring(0, NAME_MAX) : name;
    }
}
