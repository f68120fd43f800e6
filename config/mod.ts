/**
 * The appliance configuration: schema, typed configuration, datastore
 * (commit, appliers, history, persistence) and the `show config` text.
 *
 * @module
 */
export type {
  ContainerNode,
  LeafListNode,
  LeafNode,
  ListNode,
  ParseResult,
  RefSpec,
  Scalar,
  SchemaNode,
  ValueOf,
  ValueType,
} from "./schema.ts";
export {
  type GreInterfaceConfig,
  type HaGroupConfig,
  type HaPoolConfig,
  type IkeConfig,
  type IkeHaConfig,
  type IkePolicyTemplateConfig,
  type InterfaceConfig,
  type IpsecPolicyTemplateConfig,
  type LoopbackInterfaceConfig,
  type PhysicalInterfaceConfig,
  type PreSharedKeyConfig,
  ROOT,
  type SecurityPolicyConfig,
  type StaticRoutesConfig,
  type SvtiInterfaceConfig,
  type TandemConfig,
  type VpnConfig,
  type VrfConfig,
  type VrrpGroupConfig,
  type VrrpInterfaceConfig,
} from "./root_schema.ts";
export {
  type CommitOptions,
  type CommitResult,
  configText,
  Datastore,
  type DatastoreOptions,
} from "./datastore.ts";
export { type Applier, type ApplyContext, ApplyError, type Change } from "./appliers.ts";
export {
  type CommitMeta,
  type ConfigStore,
  FileStore,
  MemoryStore,
  type StoredCommit,
} from "./store.ts";
export { writeFileAtomic } from "./atomic_write.ts";
export { ConfigEditor, LoadError, loadText, parseConfigText } from "./editor.ts";
export { CommandError } from "./command.ts";
export { renderConfig, type RenderOptions } from "./text_format.ts";
export { type Check, type Issue, Report } from "./validate.ts";
export { type InstancePath, type PathStep, type TreeObject, type TreeValue } from "./tree.ts";
export { formatDuration, parseDuration } from "./duration.ts";
export { REDACTED, secretBytes } from "./secret.ts";
export { isAead } from "./ike_checks.ts";
