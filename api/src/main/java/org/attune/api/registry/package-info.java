/**
 * The registry: how clients (the shell, tests, other bundles) find methods and backends and call them.
 * It follows services as they come and go, picks by id, capability and {@code service.ranking}, and explains
 * every choice.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.attune.api.registry;
