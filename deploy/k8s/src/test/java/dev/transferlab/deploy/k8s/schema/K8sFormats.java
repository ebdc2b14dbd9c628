package dev.transferlab.deploy.k8s.schema;

import com.networknt.schema.ExecutionContext;
import com.networknt.schema.format.Format;

import java.util.regex.Pattern;

/** The two string formats the npm schemas use beyond JSON Schema's own, as their validator defines them. */
final class K8sFormats {
    private K8sFormats() {
    }

    // https://github.com/kubernetes/apimachinery/blob/master/pkg/api/resource/quantity.go, as
    // @kubernetes-models/validate (the npm schemas' own validator) spells it.
    private static final String SIGNED_NUMBER = "[+-]?(?:\\d+|\\d+\\.\\d+|\\d+\\.|\\.\\d+)";
    private static final Pattern QUANTITY_PATTERN = Pattern.compile(
            "^" + SIGNED_NUMBER + "(?:[KMGTPE]i|[YZEPTGMkhdcmunpfazy]|da|[eE]" + SIGNED_NUMBER + ")?$");
    private static final Pattern BASE64 = Pattern.compile(
            "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$");

    static final Format QUANTITY = matching("quantity", QUANTITY_PATTERN);
    static final Format BYTE = matching("byte", BASE64);

    private static Format matching(String name, Pattern pattern) {
        return new Format() {
            @Override
            public String getName() {
                return name;
            }

            @Override
            public boolean matches(ExecutionContext context, String value) {
                return pattern.matcher(value).matches();
            }
        };
    }
}
