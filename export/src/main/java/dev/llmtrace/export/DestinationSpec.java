package dev.llmtrace.export;

import dev.llmtrace.core.TraceProcessor;
import dev.llmtrace.core.privacy.PrivacyPolicy;
import dev.llmtrace.core.retry.RetryPolicy;
import java.time.Duration;

/**
 * A destination ready to run: its sender (made by its {@link DestinationType}) and what every type shares:
 * which data it gets, how its queue behaves, how it retries, its privacy policy.
 *
 * @param encoding what its queue holds and its sender sends
 * @param perTenant what its type changes in each batch for the batch's tenant, or null
 * @param timeout how long one send may take
 * @param filter null: everything
 */
record DestinationSpec(
        String name,
        Sender sender,
        ExportConfig.Encoding encoding,
        TraceProcessor perTenant,
        Duration timeout,
        ExportConfig.Filter filter,
        long queueMaxBytes,
        ExportConfig.WhenFull whenFull,
        int consumers,
        RetryPolicy retry,
        PrivacyPolicy privacy,
        String description) {
}
