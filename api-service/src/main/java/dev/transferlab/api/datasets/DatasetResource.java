package dev.transferlab.api.datasets;

import dev.transferlab.api.http.ProblemException;
import dev.transferlab.api.http.Tenants;
import dev.transferlab.common.dataset.DatasetManifest;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
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
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;

@Path("/v1/datasets")
@Produces(MediaType.APPLICATION_JSON)
public class DatasetResource {
    private static final int NAME_MAX = 200;

    @Inject
    DatasetUploads uploads;

    @Inject
    DatasetRegistrations registrations;

    @Inject
    Datasets datasets;

    @Inject
    Tenants tenants;

    /** The archive as the raw body, e.g. {@code curl --data-binary @pets.zip -H 'Content-Type: application/zip'}. */
    @POST
    @Consumes({"application/zip", "application/gzip", "application/x-gzip", "application/x-compressed-tar",
            MediaType.APPLICATION_OCTET_STREAM})
    @Blocking
    public Response upload(InputStream body, @RestQuery String name, @HeaderParam(Tenants.HEADER) String tenant,
                           @Context UriInfo uri) {
        return created(uploads.upload(tenants.resolve(tenant), name(name), body), uri);
    }

    /** The archive as the form field {@code file}, e.g. {@code curl -F file=@pets.zip}. */
    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Blocking
    public Response uploadForm(@RestForm("file") FileUpload file, @RestQuery String name,
                               @HeaderParam(Tenants.HEADER) String tenant, @Context UriInfo uri) {
        String owner = tenants.resolve(tenant);
        if (file == null) {
            throw new ProblemException(Response.Status.BAD_REQUEST, "the multipart form needs a file field 'file'");
        }
        try (InputStream body = Files.newInputStream(file.uploadedFile())) {
            return created(uploads.upload(owner, name(name != null ? name : file.fileName()), body), uri);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Registers images already in object storage, e.g. {@code {"location": "s3://bucket/pets/"}}. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    public Response register(@Valid @NotNull(message = "a JSON body is required") DatasetRegistration request,
                             @HeaderParam(Tenants.HEADER) String tenant, @Context UriInfo uri) {
        return created(registrations.register(tenants.resolve(tenant), name(request.name()), request.location()),
                uri);
    }

    @GET
    @Blocking
    public List<DatasetManifest> list(@HeaderParam(Tenants.HEADER) String tenant) {
        return datasets.list(tenants.resolve(tenant));
    }

    @GET
    @Path("{id}")
    @Blocking
    public DatasetManifest get(@PathParam("id") String id, @HeaderParam(Tenants.HEADER) String tenant) {
        return datasets.get(tenants.resolve(tenant), id);
    }

    @DELETE
    @Path("{id}")
    @Blocking
    public Response delete(@PathParam("id") String id, @HeaderParam(Tenants.HEADER) String tenant) {
        datasets.delete(tenants.resolve(tenant), id);
        return Response.noContent().build();
    }

    private static Response created(DatasetManifest manifest, UriInfo uri) {
        return Response.status(Response.Status.CREATED).entity(manifest)
                .location(uri.getBaseUriBuilder().path("v1/datasets").path(manifest.id()).build()).build();
    }

    private static String name(String name) {
        if (name == null || name.isBlank()) {
            return null;
        }
        return name.length() > NAME_MAX ? name.substring(0, NAME_MAX) : name;
    }
}
