/**
 * The configuration schema: containers, lists, leaves and leaf-lists in the
 * style of YANG (RFC 7950 §7), declared once per node. That one declaration
 * drives parsing of CLI words, validation, `?` help, Tab completion, the
 * `show config` text (which is also the file format) and the TypeScript type
 * of the typed configuration the daemon reads ({@linkcode ValueOf}).
 *
 * Nodes carry no name: a parent's `children` record names them, in the
 * order `show config` prints them.
 *
 * @module
 */

/** What a leaf stores: configuration values are JSON scalars. */
export type Scalar = string | number | boolean;

/** The result of parsing a value: the canonical value, or why it is not one. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** How one kind of value is written, read, checked and completed. */
export interface ValueType<T extends Scalar> {
  /** Syntax shown by `?`, e.g. `<1-255>` or `<A.B.C.D/M>`. */
  readonly syntax: string;
  /** Parses CLI text into the canonical value; `reason` completes "Cannot set "x": …". */
  parse(text: string): ParseResult<T>;
  /** The canonical text of a value (what `show config` prints). */
  format(value: T): string;
  /** The complete set of values, when the type is an enumeration (completion, help). */
  readonly values?: readonly string[];
}

/**
 * A leaf whose value names an entry elsewhere in the tree. `scope` is where
 * the lists are looked up: from the root, or from the enclosing entry of the
 * named list (e.g. `"vrf"`: the same VRF). Each element of `lists` is the
 * path of schema names from that anchor to a list.
 */
export interface RefSpec {
  readonly scope: "root" | string;
  readonly lists: readonly (readonly string[])[];
  /** What the target is called in error messages, e.g. `interface`. */
  readonly what: string;
}

interface NodeCommon {
  /** One line of help, shown by `?`. */
  readonly help: string;
}

/** A leaf: one value. `R` is true when the typed tree always has it (default or mandatory). */
export interface LeafNode<T extends Scalar = Scalar, R extends boolean = boolean>
  extends NodeCommon {
  readonly kind: "leaf";
  readonly type: ValueType<T>;
  readonly default?: T;
  readonly mandatory: boolean;
  /** Shown redacted unless secrets are asked for. */
  readonly secret: boolean;
  readonly ref?: RefSpec;
  /** Phantom marker for {@linkcode ValueOf}. */
  readonly required?: R;
}

/** A leaf-list: an ordered set of values, one line each. */
export interface LeafListNode<T extends Scalar = Scalar> extends NodeCommon {
  readonly kind: "leaf-list";
  readonly type: ValueType<T>;
  readonly ref?: RefSpec;
}

/** The children of a container or list entry, in display order. */
export type Children = { readonly [name: string]: SchemaNode };

/**
 * A container. A presence container exists only when created (its existence
 * means something, e.g. `ike` runs IKE in a VRF); a non-presence container
 * always exists in the typed tree. A flat node is printed on one line
 * (`local-ts subnet 10.0.0.0/8`) and never becomes a CLI context.
 */
export interface ContainerNode<C extends Children = Children, P extends boolean = boolean>
  extends NodeCommon {
  readonly kind: "container";
  readonly children: C;
  readonly presence: P;
  readonly flat: boolean;
}

/** A list of entries identified by one key leaf, kept in the order they were created. */
export interface ListNode<
  K extends string = string,
  KT extends Scalar = Scalar,
  C extends Children = Children,
> extends NodeCommon {
  readonly kind: "list";
  readonly keyName: K;
  readonly keyType: ValueType<KT>;
  readonly children: C;
  readonly flat: boolean;
  /** Help for the key value, e.g. "VRF name". */
  readonly keyHelp: string;
}

export type SchemaNode = LeafNode | LeafListNode | ContainerNode | ListNode;

/** A node that holds children: a container or a list (whose entries do). */
export type InnerNode = ContainerNode | ListNode;

// ---------------------------------------------------------------- builders

interface LeafOpts<T extends Scalar> {
  help: string;
  default?: T;
  mandatory?: boolean;
  secret?: boolean;
  ref?: RefSpec;
}

/** A leaf with a default or unconditionally mandatory: always present in the typed tree. */
export function leaf<T extends Scalar>(
  type: ValueType<T>,
  opts: LeafOpts<T> & ({ default: T } | { mandatory: true }),
): LeafNode<T, true>;
/** An optional leaf. */
export function leaf<T extends Scalar>(type: ValueType<T>, opts: LeafOpts<T>): LeafNode<T, false>;
export function leaf<T extends Scalar>(type: ValueType<T>, opts: LeafOpts<T>): LeafNode<T> {
  if (opts.default !== undefined) {
    const p = type.parse(type.format(opts.default));
    if (!p.ok || p.value !== opts.default) {
      throw new Error(`Cannot declare leaf: default ${String(opts.default)} is not canonical`);
    }
  }
  return {
    kind: "leaf",
    type,
    help: opts.help,
    mandatory: opts.mandatory ?? false,
    secret: opts.secret ?? false,
    ...(opts.default !== undefined ? { default: opts.default } : {}),
    ...(opts.ref ? { ref: opts.ref } : {}),
  };
}

/** A leaf-list. */
export function leafList<T extends Scalar>(
  type: ValueType<T>,
  opts: { help: string; ref?: RefSpec },
): LeafListNode<T> {
  return { kind: "leaf-list", type, help: opts.help, ...(opts.ref ? { ref: opts.ref } : {}) };
}

/** A non-presence container (always there in the typed tree). */
export function container<C extends Children>(
  children: C,
  opts: { help: string; flat?: boolean },
): ContainerNode<C, false> {
  return {
    kind: "container",
    children,
    help: opts.help,
    presence: false,
    flat: opts.flat ?? false,
  };
}

/** A presence container (absent until created). */
export function presence<C extends Children>(
  children: C,
  opts: { help: string; flat?: boolean },
): ContainerNode<C, true> {
  const flat = opts.flat ?? Object.keys(children).length === 0;
  return { kind: "container", children, help: opts.help, presence: true, flat };
}

/** A list keyed by one leaf. */
export function list<const K extends string, KT extends Scalar, C extends Children>(
  key: { name: K; type: ValueType<KT>; help: string },
  children: C,
  opts: { help: string; flat?: boolean },
): ListNode<K, KT, C> {
  if (key.name in children) throw new Error(`Cannot declare list: key "${key.name}" is a child`);
  return {
    kind: "list",
    keyName: key.name,
    keyType: key.type,
    keyHelp: key.help,
    children,
    help: opts.help,
    flat: opts.flat ?? false,
  };
}

// ------------------------------------------------------------ typed values

type Pretty<T> = { [K in keyof T]: T[K] } & unknown;

type RequiredKeys<C extends Children> = {
  [P in keyof C]: C[P] extends LeafNode<Scalar, false> ? never
    : C[P] extends ContainerNode<Children, true> ? never
    : P;
}[keyof C];

/** The typed value of a container's or entry's children (defaults filled in). */
export type EntryOf<C extends Children> = Pretty<
  & { -readonly [P in RequiredKeys<C>]: ValueOf<C[P]> }
  & { -readonly [P in Exclude<keyof C, RequiredKeys<C>>]?: ValueOf<C[P]> }
>;

/**
 * The typed value of a node as the daemon reads it: leaves with defaults
 * are filled in, non-presence containers always exist, lists and
 * leaf-lists are arrays (empty when nothing is configured).
 */
export type ValueOf<N> = N extends LeafNode<infer T, boolean> ? T
  : N extends LeafListNode<infer T> ? T[]
  : N extends ContainerNode<infer C, boolean> ? EntryOf<C>
  : N extends ListNode<infer K, infer KT, infer C> ? Array<Pretty<{ [P in K]: KT } & EntryOf<C>>>
  : never;

// ------------------------------------------------------------ schema walks

/** Whether a node (or anything below it) declares a leaf with a default. */
export function holdsDefaults(node: SchemaNode): boolean {
  switch (node.kind) {
    case "leaf":
      return node.default !== undefined;
    case "leaf-list":
      return false;
    case "container":
      return !node.presence && Object.values(node.children).some(holdsDefaults);
    case "list":
      return false;
  }
}

/** Whether a node becomes a CLI context when named alone. */
export function isContext(node: SchemaNode): node is InnerNode {
  return (node.kind === "container" || node.kind === "list") && !node.flat;
}
