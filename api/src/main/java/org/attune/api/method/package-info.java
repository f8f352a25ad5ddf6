/**
 * What every Attune method publishes about itself: the {@link org.attune.api.method.MethodDescriptor}, carried
 * as service properties named in {@link org.attune.api.method.MethodProperties}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.attune.api.method;
