/**
 * What kind of value a flag's parser accepts, so the config file can hold the same setting
 * with the right JSON type: commander only knows that a flag takes a string. A parser tags
 * itself once where it is defined; an untagged flag that takes a value is a string.
 */
export type OptionKind =
  | { type: 'integer' | 'number'; minimum?: number; maximum?: number; exclusiveMinimum?: number }
  /** A comma-separated list on the command line, an array in the file. */
  | { type: 'list'; items?: readonly string[] }
  /** A repeatable flag: each element of the file's array is one occurrence. */
  | { type: 'repeat' };

// biome-ignore lint/suspicious/noExplicitAny: parsers of any option value.
type Parser = (...args: any[]) => unknown;

const kinds = new WeakMap<Parser, OptionKind>();

export const withKind = <P extends Parser>(parser: P, kind: OptionKind): P => {
  kinds.set(parser, kind);
  return parser;
};

export const kindOf = (parser: Parser | undefined): OptionKind | undefined => (parser ? kinds.get(parser) : undefined);
