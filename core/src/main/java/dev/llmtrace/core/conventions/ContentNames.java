package dev.llmtrace.core.conventions;

import dev.llmtrace.core.otlp.TwoWaySlots;
import java.util.List;
import java.util.Set;

/**
 * Where the three conventions (OpenRouter Broadcast, OTel GenAI, OpenInference) put prompts and completions:
 * the one list both enrich (which reads and derives them) and the privacy engine (which masks or drops them
 * under every name) use, so a name added for one is covered by the other.
 */
public final class ContentNames {
    /** Broadcast's prompt and completion (JSON strings); OTel GenAI's older names. */
    public static final String PROMPT = "gen_ai.prompt";
    public static final String COMPLETION = "gen_ai.completion";
    /** OTel GenAI's message lists (JSON arrays of roles with parts). */
    public static final String INPUT_MESSAGES = "gen_ai.input.messages";
    public static final String OUTPUT_MESSAGES = "gen_ai.output.messages";
    /** OpenInference: the whole input and output, and the flattened message lists. */
    public static final String INPUT_VALUE = "input.value";
    public static final String OUTPUT_VALUE = "output.value";
    public static final String INPUT_MIME_TYPE = "input.mime_type";
    public static final String OUTPUT_MIME_TYPE = "output.mime_type";
    public static final String OPENINFERENCE_INPUT_MESSAGES = "llm.input_messages.";
    public static final String OPENINFERENCE_OUTPUT_MESSAGES = "llm.output_messages.";

    private static final Set<String> NAMES = Set.of(PROMPT, COMPLETION, INPUT_MESSAGES, OUTPUT_MESSAGES, "gen_ai.system_instructions",
            INPUT_VALUE, OUTPUT_VALUE, "gen_ai.tool.call.arguments", "gen_ai.tool.call.result",
            "llm.prompts", "llm.function_call", "reranker.query");
    /** OpenInference's completions API ({@code llm.prompts.0.prompt.text}, {@code llm.choices.0.completion.text}) too. */
    private static final List<String> PREFIXES = List.of(OPENINFERENCE_INPUT_MESSAGES, OPENINFERENCE_OUTPUT_MESSAGES, "llm.tools.",
            "llm.prompt_template.", PROMPT + ".", COMPLETION + ".", "llm.prompts.", "llm.choices.");
    /** OpenInference's retriever and reranker spans: each document's text is content, its id and score are not. */
    private static final List<String> DOCUMENT_LISTS = List.of("retrieval.documents.", "reranker.input_documents.",
            "reranker.output_documents.");
    private static final String DOCUMENT_CONTENT = ".document.content";
    /** OpenInference's embedding spans: the text embedded (the vectors are numbers, kept). */
    private static final String EMBEDDINGS = "embedding.embeddings.";
    private static final String EMBEDDING_TEXT = ".embedding.text";
    private static final Set<String> EVENTS = Set.of("gen_ai.content.prompt", "gen_ai.content.completion",
            "gen_ai.user.message", "gen_ai.assistant.message", "gen_ai.system.message", "gen_ai.tool.message", "gen_ai.choice");

    private ContentNames() {}

    /** Answers given before, by name: a span's dozens of names come back in every span (1.6 % of the all-in-one's CPU). */
    private static final Answer[] ANSWERS = new Answer[1024];

    private record Answer(String key, boolean content) implements TwoWaySlots.ByKey {}

    /** True for an attribute that carries what was said to or by a model, in any convention. */
    public static boolean isContent(String key) {
        int slot = slot(key);
        Answer answer = TwoWaySlots.find(ANSWERS, slot, key); // shared without locks: an answer is immutable, a racing one as good
        if (answer != null) {
            return answer.content;
        }
        boolean content = lookUp(key);
        if (key.length() <= 128) { // the table keeps what it holds until replaced: names only, never long ones
            TwoWaySlots.put(ANSWERS, slot, new Answer(key, content));
        }
        return content;
    }

    static int slot(String key) {
        return key.hashCode() & (ANSWERS.length - 1);
    }

    private static boolean lookUp(String key) {
        if (NAMES.contains(key)) {
            return true;
        }
        for (String prefix : PREFIXES) {
            if (key.startsWith(prefix)) {
                return true;
            }
        }
        if (key.endsWith(DOCUMENT_CONTENT)) {
            for (String list : DOCUMENT_LISTS) {
                if (key.startsWith(list)) {
                    return true;
                }
            }
        }
        return key.startsWith(EMBEDDINGS) && key.endsWith(EMBEDDING_TEXT);
    }

    /** OpenInference's {@code input.mime_type} / {@code output.mime_type} of a prompt or completion copied to its names. */
    public static String mimeType(String content) {
        String t = content.stripLeading();
        return t.startsWith("{") || t.startsWith("[") ? "application/json" : "text/plain";
    }

    /** True for a span event that carries content (OTel GenAI's event conventions). */
    public static boolean isContentEvent(String name) {
        return EVENTS.contains(name);
    }
}
