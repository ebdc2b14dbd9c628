package dev.transferlab.api.http;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.headers.Header;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Completes the OpenAPI document with what every endpoint shares, so that no resource repeats it: the bearer-token
 * scheme on every endpoint that needs a role, and the problem responses (RFC 9457, {@link Problem}) each kind of
 * endpoint can give: 401 and 403 where a role is needed, 404 for a path naming something, 400 for parameters or a
 * body, 413 and 415 for a body, 500 for all. Responses an endpoint declares itself (409, 429, ...) get the problem
 * body too, and 429 and 503 their Retry-After header. Registered as {@code mp.openapi.filter}.
 */
public class ProblemResponses implements OASFilter {
    static final String SCHEME = "bearer";
    /** Open without a token (as their {@code @PermitAll} says): the KServe v2 server and health endpoints. */
    private static final Set<String> OPEN = Set.of("/v2", "/v2/health/live", "/v2/health/ready");
    private static final Map<String, String> DESCRIPTIONS = Map.ofEntries(
            Map.entry("400", "The request is malformed or a field is invalid; `errors` names each bad field"),
            Map.entry("401", "No bearer token, or one that is expired, forged or issued for another API"),
            Map.entry("403", "The token's roles do not allow this (viewer < trainer < admin)"),
            Map.entry("404", "No such resource for the caller's tenant (another tenant's is not found either)"),
            Map.entry("409", "The request conflicts with the resource's state"),
            Map.entry("413", "The body is larger than this endpoint takes"),
            Map.entry("415", "The body's Content-Type is not one this endpoint takes"),
            Map.entry("429", "A quota of the tenant is used up; retry after Retry-After seconds"),
            Map.entry("500", "An unexpected error; the problem's detail says what failed"),
            Map.entry("503", "No capacity right now; retry after Retry-After seconds"),
            Map.entry("504", "No answer in time"));

    @Override
    public void filterOpenAPI(OpenAPI api) {
        if (api.getComponents() == null) {
            api.setComponents(OASFactory.createComponents());
        }
        api.getComponents().addSecurityScheme(SCHEME, OASFactory.createSecurityScheme()
                .type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("JWT")
                .description("An access token of the platform's OpenID provider (quarkus.oidc.auth-server-url) whose"
                        + " aud names this API (quarkus.oidc.client-id); the tenant comes from its claim"
                        + " transferlab.auth.tenant-claim and the roles (viewer, trainer, admin) from"
                        + " transferlab.auth.roles-claim. With transferlab.auth.enabled=false (a single-user laptop)"
                        + " no token is needed and every request acts as an admin."));
        api.getComponents().addSchema("FieldError", OASFactory.createSchema().type(List.of(Schema.SchemaType.OBJECT))
                .required(List.of("field", "message"))
                .addProperty("field", string("The bad field, as a JSON path (`backbone.weights`)"))
                .addProperty("message", string("What is wrong with it")));
        api.getComponents().addSchema("Problem", OASFactory.createSchema().type(List.of(Schema.SchemaType.OBJECT))
                .description("RFC 9457 problem details: the body of every error of this API")
                .required(List.of("type", "title", "status"))
                .addProperty("type", string("`about:blank`"))
                .addProperty("title", string("The status's reason phrase"))
                .addProperty("status", OASFactory.createSchema().type(List.of(Schema.SchemaType.INTEGER)))
                .addProperty("detail", string("What went wrong, for a person to act on"))
                .addProperty("instance", string(null))
                .addProperty("errors", OASFactory.createSchema().type(List.of(Schema.SchemaType.ARRAY))
                        .items(OASFactory.createSchema().ref("FieldError"))));
        api.getComponents().addSchema("InferenceError", OASFactory.createSchema()
                .type(List.of(Schema.SchemaType.OBJECT)).required(List.of("error"))
                .description("An error of the Open Inference Protocol (/v2): its detail, with the status the rest of"
                        + " the API gives").addProperty("error", string(null)));
        if (api.getPaths() == null || api.getPaths().getPathItems() == null) {
            return;
        }
        api.getPaths().getPathItems().forEach((path, item) -> item.getOperations()
                .forEach((method, operation) -> complete(path, method, operation)));
    }

    private static void complete(String path, PathItem.HttpMethod method, Operation operation) {
        if (!path.startsWith("/v1/") && !path.startsWith("/v2")) {
            return;
        }
        if (operation.getResponses() == null) {
            operation.setResponses(OASFactory.createAPIResponses());
        }
        APIResponses responses = operation.getResponses();
        if (!OPEN.contains(path)) {
            operation.setSecurity(List.of(OASFactory.createSecurityRequirement().addScheme(SCHEME)));
            add(responses, "401");
            add(responses, "403");
        }
        if (path.contains("{")) {
            add(responses, "404");
        }
        List<Parameter> parameters = operation.getParameters();
        boolean body = operation.getRequestBody() != null;
        if (body || parameters != null && parameters.stream().anyMatch(p -> p.getIn() != Parameter.In.PATH)) {
            add(responses, "400");
        }
        if (body) {
            add(responses, "413");
            add(responses, "415");
        }
        add(responses, "500");
        boolean openInference = OpenInferenceErrors.applies(path);
        responses.getAPIResponses().forEach((code, response) -> {
            if (code.startsWith("4") || code.startsWith("5")) {
                asError(code, response, openInference);
            }
        });
    }

    private static void add(APIResponses responses, String code) {
        if (!responses.hasAPIResponse(code)) {
            responses.addAPIResponse(code, OASFactory.createAPIResponse());
        }
    }

    /** A problem, or under /v2 the Open Inference Protocol's error ({@link OpenInferenceErrors}). */
    private static void asError(String code, APIResponse response, boolean openInference) {
        if (response.getDescription() == null || response.getDescription().isBlank()) {
            response.setDescription(DESCRIPTIONS.getOrDefault(code, "A problem"));
        }
        if (response.getContent() == null || response.getContent().getMediaTypes() == null
                || response.getContent().getMediaTypes().isEmpty()) {
            response.setContent(OASFactory.createContent().addMediaType(
                    openInference ? "application/json" : Problem.MEDIA_TYPE,
                    OASFactory.createMediaType().schema(OASFactory.createSchema()
                            .ref(openInference ? "InferenceError" : "Problem"))));
        }
        if (code.equals("429") || code.equals("503")) {
            response.addHeader("Retry-After", header("Seconds to wait before trying again",
                    Schema.SchemaType.INTEGER));
        }
        if (code.equals("401")) {
            response.addHeader("WWW-Authenticate", header("The bearer challenge", Schema.SchemaType.STRING));
        }
    }

    private static Header header(String description, Schema.SchemaType type) {
        return OASFactory.createHeader().description(description)
                .schema(OASFactory.createSchema().type(List.of(type)));
    }

    private static Schema string(String description) {
        return OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING)).description(description);
    }
}
