package dev.transferlab.common.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A sweep's trials, worked out from its request alone, so that the api-service refuses a bad search space before it is
 * queued and every worker that runs (or resumes) the sweep numbers the same trials the same way. A trial is the base
 * hyperparameters with the searched fields set, as JSON: any field of {@link Hyperparameters} can be searched by its
 * JSON name, including ones added after this class was written, and every trial is held to
 * {@link Hyperparameters#requireInRange} like a training job's.
 */
public final class SweepPlan {
    /** The split must be one for every trial, or their validation figures would not compare. */
    private static final Set<String> FIXED = Set.of("validationFraction", "testFraction");
    private static final int MAX_POINTS = 1000;
    private static final ObjectMapper MAPPER = Messages.mapper();

    private SweepPlan() {
    }

    /**
     * The trials in the order they are numbered.
     *
     * @throws InvalidFieldException naming the request's field to change ({@code space.learningRate.min},
     *                               {@code maxTrials}, ...) and why
     */
    public static List<Hyperparameters> trials(SweepRequest request) {
        Hyperparameters base = require(request.base(), "base").requireInRange("base");
        SweepStrategy strategy = require(request.strategy(), "strategy");
        require(strategy.type(), "strategy.type");
        if (request.maxTrials() < 1 || request.maxTrials() > SweepRequest.MAX_TRIALS) {
            throw new InvalidFieldException("maxTrials", "must be between 1 and " + SweepRequest.MAX_TRIALS + ", got "
                    + request.maxTrials());
        }
        Map<String, SearchDimension> space = require(request.space(), "space");
        if (space.isEmpty()) {
            throw new InvalidFieldException("space", "must name at least one field of the hyperparameters to search");
        }
        ObjectNode baseJson = MAPPER.valueToTree(base);
        Set<String> fields = searchable();
        space.forEach((field, dimension) -> checkDimension(field, dimension, fields, strategy, baseJson));
        if (strategy.type() == SweepStrategy.Type.SUCCESSIVE_HALVING) {
            rungs(request);
        }
        List<Map<String, Object>> points = strategy.type() == SweepStrategy.Type.GRID
                ? grid(space, baseJson, request.maxTrials())
                : draws(space, baseJson, request.maxTrials(), strategy.seedOrDefault());
        List<Hyperparameters> trials = new ArrayList<>(points.size());
        for (Map<String, Object> point : points) {
            trials.add(trial(baseJson, point, trials.size()));
        }
        return trials;
    }

    /**
     * Successive halving's rungs: the epochs after which trials are ranked and the weaker ones stopped, ending with
     * the base's epochs. Other strategies have one rung, the base's epochs.
     */
    public static List<Integer> rungs(SweepRequest request) {
        int epochs = request.base().epochs();
        SweepStrategy strategy = request.strategy();
        if (strategy.type() != SweepStrategy.Type.SUCCESSIVE_HALVING) {
            return List.of(epochs);
        }
        int eta = strategy.reductionFactorOrDefault();
        int first = strategy.minEpochsOrDefault();
        if (eta < 2 || eta > 100) {
            throw new InvalidFieldException("strategy.reductionFactor", "must be between 2 and 100, got " + eta);
        }
        if (first < 1 || first > epochs) {
            throw new InvalidFieldException("strategy.minEpochs", "must be between 1 and the base's epochs ("
                    + epochs + "), got " + first);
        }
        List<Integer> rungs = new ArrayList<>();
        for (long r = first; r < epochs; r *= eta) {
            rungs.add((int) r);
        }
        rungs.add(epochs);
        return rungs;
    }

    /** How many of {@code trials} go on past a rung: 1/η of them, at least one. */
    public static int survivors(SweepRequest request, int trials) {
        return Math.max(1, trials / request.strategy().reductionFactorOrDefault());
    }

    /** The JSON names of Hyperparameters' fields, as its (growing) record declares them. */
    private static Set<String> searchable() {
        return MAPPER.getSerializationConfig().introspect(MAPPER.constructType(Hyperparameters.class))
                .findProperties().stream().map(BeanPropertyDefinition::getName).collect(Collectors.toSet());
    }

    private static void checkDimension(String field, SearchDimension d, Set<String> fields, SweepStrategy strategy,
                                       ObjectNode baseJson) {
        String at = "space." + field;
        if (!fields.contains(field)) {
            throw new InvalidFieldException(at, "is no hyperparameter; the searchable ones are "
                    + fields.stream().filter(f -> !FIXED.contains(f)).sorted().collect(Collectors.joining(", ")));
        }
        if (FIXED.contains(field)) {
            throw new InvalidFieldException(at, "cannot be searched: every trial must validate on the same images; "
                    + "set it in base instead");
        }
        if (field.equals("epochs") && strategy.type() == SweepStrategy.Type.SUCCESSIVE_HALVING) {
            throw new InvalidFieldException(at, "cannot be searched by successive halving, which decides how long each"
                    + " trial trains; set base.epochs (the last rung) instead");
        }
        require(d, at);
        boolean range = d.min() != null || d.max() != null;
        if (d.isList() == range) {
            throw new InvalidFieldException(at, "needs either values (a list) or min and max (a range)");
        }
        if (d.isList()) {
            if (d.values().isEmpty() || d.values().size() > MAX_POINTS) {
                throw new InvalidFieldException(at + ".values", "must hold between 1 and " + MAX_POINTS + " values, got "
                        + d.values().size());
            }
            for (int i = 0; i < d.values().size(); i++) {
                checkConverts(baseJson, field, d.values().get(i), at + ".values[" + i + "]");
            }
            return;
        }
        require(d.min(), at + ".min");
        require(d.max(), at + ".max");
        if (!Double.isFinite(d.min()) || !Double.isFinite(d.max()) || d.min() > d.max()) {
            throw new InvalidFieldException(at, "needs finite min <= max, got " + d.min() + " and " + d.max());
        }
        if (d.isLog() && d.min() <= 0) {
            throw new InvalidFieldException(at + ".min", "must be above 0 for a log range, got " + d.min());
        }
        if (rounds(d, baseJson, field) && Math.ceil(d.min()) > Math.floor(d.max())) {
            throw new InvalidFieldException(at, "holds no whole number between " + d.min() + " and " + d.max());
        }
        if (strategy.type() == SweepStrategy.Type.GRID && (d.steps() == null || d.steps() < 1
                || d.steps() > MAX_POINTS)) {
            throw new InvalidFieldException(at + ".steps", "must be between 1 and " + MAX_POINTS + " for a grid, which "
                    + "tries that many evenly spaced points of the range, got " + d.steps());
        }
        checkConverts(baseJson, field, d.min(), at + ".min");
    }

    private static void checkConverts(ObjectNode baseJson, String field, Object value, String at) {
        ObjectNode node = baseJson.deepCopy();
        node.set(field, MAPPER.valueToTree(value));
        try {
            MAPPER.treeToValue(node, Hyperparameters.class);
        } catch (Exception e) {
            throw new InvalidFieldException(at, "is not a value " + field + " can take: " + value);
        }
    }

    private static List<Map<String, Object>> grid(Map<String, SearchDimension> space, ObjectNode baseJson,
                                                  int maxTrials) {
        long size = 1;
        for (var dimension : space.entrySet()) {
            size *= points(dimension.getKey(), dimension.getValue(), baseJson).size();
            if (size > maxTrials) {
                throw new InvalidFieldException("maxTrials", "is " + maxTrials + ", fewer than the grid's "
                        + gridSize(space, baseJson) + " trials; raise it or give the space fewer points");
            }
        }
        List<Map<String, Object>> points = new ArrayList<>();
        points.add(new java.util.LinkedHashMap<>());
        for (var dimension : space.entrySet()) {
            List<Map<String, Object>> next = new ArrayList<>();
            for (Map<String, Object> point : points) {
                for (Object value : points(dimension.getKey(), dimension.getValue(), baseJson)) {
                    Map<String, Object> extended = new java.util.LinkedHashMap<>(point);
                    extended.put(dimension.getKey(), value);
                    next.add(extended);
                }
            }
            points = next;
        }
        return points;
    }

    private static java.math.BigInteger gridSize(Map<String, SearchDimension> space, ObjectNode baseJson) {
        return space.entrySet().stream().map(d -> java.math.BigInteger.valueOf(points(d.getKey(), d.getValue(),
                baseJson).size())).reduce(java.math.BigInteger.ONE, java.math.BigInteger::multiply);
    }

    private static List<Object> points(String field, SearchDimension d, ObjectNode baseJson) {
        if (d.isList()) {
            return d.values();
        }
        List<Object> points = new ArrayList<>();
        for (int i = 0; i < d.steps(); i++) {
            points.add(at(field, d, baseJson, d.steps() == 1 ? 0 : (double) i / (d.steps() - 1)));
        }
        return points;
    }

    private static List<Map<String, Object>> draws(Map<String, SearchDimension> space, ObjectNode baseJson,
                                                   int trials, long seed) {
        Random random = new Random(seed);
        List<Map<String, Object>> points = new ArrayList<>();
        for (int t = 0; t < trials; t++) {
            Map<String, Object> point = new java.util.LinkedHashMap<>();
            space.forEach((field, d) -> point.put(field, d.isList() ? d.values().get(random.nextInt(d.values().size()))
                    : at(field, d, baseJson, random.nextDouble())));
            points.add(point);
        }
        return points;
    }

    /** The point a fraction {@code u} of the way through a range (in log space for a log range). */
    private static Object at(String field, SearchDimension d, ObjectNode baseJson, double u) {
        Function<Double, Double> scale = d.isLog() ? Math::log : x -> x;
        Function<Double, Double> unscale = d.isLog() ? Math::exp : x -> x;
        double x = unscale.apply(scale.apply(d.min()) + u * (scale.apply(d.max()) - scale.apply(d.min())));
        x = Math.min(d.max(), Math.max(d.min(), x));
        if (rounds(d, baseJson, field)) {
            return Math.min((long) Math.floor(d.max()), Math.max((long) Math.ceil(d.min()), Math.round(x)));
        }
        return x;
    }

    /** Integers were asked for, or the field holds whole numbers (its base value is one). */
    private static boolean rounds(SearchDimension d, ObjectNode baseJson, String field) {
        JsonNode base = baseJson.get(field);
        return d.isInteger() || base != null && base.isIntegralNumber();
    }

    private static Hyperparameters trial(ObjectNode baseJson, Map<String, Object> point, int index) {
        ObjectNode node = baseJson.deepCopy();
        point.forEach((field, value) -> node.set(field, MAPPER.valueToTree(value)));
        Hyperparameters hp;
        try {
            hp = MAPPER.treeToValue(node, Hyperparameters.class);
        } catch (Exception e) {
            throw new InvalidFieldException("space", "trial " + index + " " + point + " is no valid set of "
                    + "hyperparameters: " + e.getMessage());
        }
        try {
            return hp.requireInRange("trial");
        } catch (InvalidFieldException e) {
            String field = e.field().startsWith("trial.") ? e.field().substring("trial.".length()) : e.field();
            throw new InvalidFieldException(point.containsKey(field) ? "space." + field : "base." + field,
                    "gives trial " + index + " " + point + ", where " + field + " " + e.problem());
        }
    }

    private static <T> T require(T value, String field) {
        if (value == null) {
            throw new InvalidFieldException(field, "is required");
        }
        return value;
    }
}
