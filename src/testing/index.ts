/**
 * The backend conformance suite, for the built-in backends and for third-party ones.
 * vitest is an optional peer dependency: install it to use this entry point.
 *
 * @module
 */
export { CONFORMANCE_GROUPS, describeBackend, isRequired, seedTestImage, type ConformanceGroup, type DescribeBackendOptions } from './describe-backend.js';
export { busyboxRootfsTar, findHostBusybox, TEST_IMAGE, TEST_PAGE } from './busybox-rootfs.js';
export { eventually, type CapabilityName, type SuiteContext } from './suite-context.js';
