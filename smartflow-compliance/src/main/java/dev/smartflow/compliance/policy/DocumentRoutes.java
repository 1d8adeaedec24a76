package dev.smartflow.compliance.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.GatewayError;
import dev.smartflow.core.error.NotFound;
import dev.smartflow.core.spi.Policy;
import dev.smartflow.core.spi.PolicyJob;
import dev.smartflow.core.spi.PolicyJobStore;
import dev.smartflow.core.spi.PolicySuggestion;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Document-to-policy over HTTP (master key), under {@code /api/policies/generate}: upload a document and get a job id
 * at once ({@code 202}); follow the job's status and progress; read its suggestions once it completed; accept a
 * suggestion, which creates a live policy; delete a finished job.
 */
final class DocumentRoutes {
    static final String BASE = "/api/policies/generate";

    private final DocumentUpload upload;
    private final DocumentJobs jobs;
    private final Supplier<PolicyJobStore> store;
    private final PolicyLibrary library;
    private final PolicyJson json;
    private final String defaultModel;

    DocumentRoutes(DocumentUpload upload, DocumentJobs jobs, Supplier<PolicyJobStore> store, PolicyLibrary library,
                   PolicyJson json, String defaultModel) {
        this.upload = upload;
        this.jobs = jobs;
        this.store = store;
        this.library = library;
        this.json = json;
        this.defaultModel = defaultModel;
    }

    void register(JavalinConfig app) {
        upload.configure(app);
        app.routes.post(BASE, this::generate);
        app.routes.get(BASE, ctx -> {
            List<PolicyJob> all = store.get().list();
            ObjectNode answer = PolicyRoutes.success();
            answer.put("total", all.size());
            ArrayNode list = answer.putArray("jobs");
            all.forEach(job -> list.add(PolicyJson.write(job)));
            PolicyRoutes.answer(ctx, 200, answer);
        });
        app.routes.get(BASE + "/{job_id}", ctx -> PolicyRoutes.answer(ctx, 200, PolicyRoutes.success()
                .set("job", PolicyJson.write(job(ctx)))));
        app.routes.get(BASE + "/{job_id}/suggestions", this::suggestions);
        app.routes.post(BASE + "/{job_id}/suggestions/{suggestion_id}/accept", this::accept);
        app.routes.delete(BASE + "/{job_id}", ctx -> {
            PolicyJob job = job(ctx);
            if (!job.finished()) {
                throw GatewayError.of(409, "invalid_request_error", "job_not_finished", "the job is "
                        + job.status().id() + "; a job is deleted once it completed or failed");
            }
            store.get().delete(job.id());
            PolicyRoutes.answer(ctx, 200, PolicyRoutes.message("Job '" + job.id() + "' deleted"));
        });
    }

    private void generate(Context ctx) {
        String id = UUID.randomUUID().toString();
        DocumentUpload.Document document = upload.read(ctx, format -> jobs.document(id, format));
        PolicyJob job = jobs.submit(id, document.filename(), document.format(), document.model()
                .orElse(defaultModel));
        ObjectNode answer = PolicyRoutes.message("Document processing started.");
        answer.put("job_id", job.id());
        answer.set("job", PolicyJson.write(job));
        PolicyRoutes.answer(ctx, 202, answer);
    }

    private PolicyJob job(Context ctx) {
        String id = ctx.pathParam("job_id");
        return store.get().get(id).orElseThrow(() -> new NotFound("no policy job '" + JsonFields.printable(id) + "'",
                "job_not_found"));
    }

    private void suggestions(Context ctx) {
        PolicyJob job = job(ctx);
        if (job.status() != PolicyJob.Status.COMPLETED) {
            throw GatewayError.of(409, "invalid_request_error", "job_not_completed", "the job is "
                    + job.status().id() + job.error().map(e -> ": " + e).orElse("")
                    + "; suggestions are ready once it completed");
        }
        List<PolicySuggestion> suggestions = store.get().suggestions(job.id());
        ObjectNode answer = PolicyRoutes.success();
        answer.put("job_id", job.id());
        answer.put("filename", job.filename());
        answer.put("total_policies", suggestions.size());
        ArrayNode list = answer.putArray("suggested_policies");
        suggestions.forEach(s -> list.add(PolicyJson.write(s)));
        PolicyRoutes.answer(ctx, 200, answer);
    }

    /**
     * Creates a live policy from a suggestion: its name, type, content, priority and framework; severity by priority
     * (80 and up high, 50 and up medium, else low) and action {@code log}, so that nothing is blocked on a model's
     * word alone. An optional JSON body changes any field first, as {@code PATCH} would ({@code "action": "block"}).
     */
    private void accept(Context ctx) {
        PolicyJob job = job(ctx);
        String suggestionId = ctx.pathParam("suggestion_id");
        PolicySuggestion suggestion = store.get().suggestions(job.id()).stream()
                .filter(s -> s.id().equals(suggestionId)).findFirst()
                .orElseThrow(() -> new NotFound("no suggestion '" + JsonFields.printable(suggestionId)
                        + "' in job '" + job.id() + "'", "suggestion_not_found"));
        if (suggestion.acceptedPolicyId().isPresent()) {
            throw accepted(suggestion);
        }
        Policy policy = Policy.builder(PolicyLibrary.newId("pol_"), suggestion.name(), suggestion.type(),
                        suggestion.content(), library.now())
                .priority(suggestion.priority())
                .regulatoryFramework(suggestion.regulatoryFramework())
                .severity(suggestion.priority() >= 80 ? Policy.Severity.HIGH
                        : suggestion.priority() >= 50 ? Policy.Severity.MEDIUM : Policy.Severity.LOW)
                .action(Policy.Action.LOG)
                .description("Suggested from " + job.filename())
                .build();
        if (hasBody(ctx)) {
            JsonNode changes = JsonFields.object(ctx);
            policy = json.patch(policy, changes, library.now());
        }
        if (!store.get().accept(job.id(), suggestion.id(), policy.id())) {
            throw accepted(store.get().suggestions(job.id()).stream().filter(s -> s.id().equals(suggestionId))
                    .findFirst().orElse(suggestion));
        }
        Policy created = library.create(policy);
        ObjectNode answer = PolicyRoutes.message("Suggestion '" + suggestion.id() + "' accepted as policy '"
                + created.id() + "'");
        answer.set("policy", PolicyJson.write(created));
        PolicyRoutes.answer(ctx, 201, answer);
    }

    private static boolean hasBody(Context ctx) {
        return ctx.req().getContentLengthLong() > 0 || ctx.req().getHeader("transfer-encoding") != null;
    }

    private static GatewayError accepted(PolicySuggestion suggestion) {
        return GatewayError.of(409, "invalid_request_error", "suggestion_already_accepted", "the suggestion was "
                + "already accepted" + suggestion.acceptedPolicyId().map(id -> " as policy '" + id + "'").orElse(""));
    }
}
