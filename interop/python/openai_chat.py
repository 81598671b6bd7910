"""One chat completion through the OpenAI SDK, traced by OpenInference, exported over OTLP/HTTP.

The client of the OpenObserve LLM guide. Configured only through the environment:
  OPENAI_BASE_URL, OPENAI_API_KEY            the (fake) OpenRouter chat endpoint and a key
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT         ingest's http://host:4318/v1/traces
  OTEL_EXPORTER_OTLP_TRACES_HEADERS          authorization=Bearer%20<token>
  OTEL_SERVICE_NAME                          the resource's service.name
Prints the completion's text; exits non-zero if the call or the export fails.
"""
import sys

from openai import OpenAI
from openinference.instrumentation.openai import OpenAIInstrumentor
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult


class CheckedExporter(OTLPSpanExporter):
    """Remembers whether every export succeeded, so a refused export fails the script."""

    failed = False

    def export(self, spans):
        result = super().export(spans)
        if result != SpanExportResult.SUCCESS:
            CheckedExporter.failed = True
        return result


def main() -> int:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(CheckedExporter()))
    trace.set_tracer_provider(provider)
    OpenAIInstrumentor().instrument(tracer_provider=provider)

    client = OpenAI()
    completion = client.chat.completions.create(
        model="openai/gpt-4o-mini",
        messages=[{"role": "user", "content": "Say hello in one word."}],
    )
    print(completion.choices[0].message.content)
    provider.shutdown()
    if CheckedExporter.failed:
        print("OTLP export failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
