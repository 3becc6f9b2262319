package dev.airlock.audit.export;

/**
 * Where a running sink stands: the cursor its collector confirmed, whether its last attempt failed (its entries then
 * wait and are retried with back-off) and why.
 */
public record SinkStatus(String name, Cursor delivered, boolean failing, String lastError) {}
