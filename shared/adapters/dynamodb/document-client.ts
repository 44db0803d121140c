/**
 * The document client the adapters use. They write lib-dynamodb's commands (GetCommand, PutCommand,
 * UpdateCommand, DeleteCommand, QueryCommand) with native values, as they always did; this client sends
 * each one as its low-level command with the items, keys and expression values converted by
 * ./attribute-values.ts rather than by util-dynamodb, which misreads user objects (why: see there).
 * lib-dynamodb has no hook for its marshalling, hence the translation here, at the one place every
 * item passes. A document command it does not know is refused, so no item reaches util-dynamodb by
 * way of a command added later.
 */
import {
  type AttributeValue,
  DeleteItemCommand,
  type DeleteItemCommandInput,
  type DynamoDBClient,
  GetItemCommand,
  type GetItemCommandInput,
  PutItemCommand,
  type PutItemCommandInput,
  type QueryCommandInput,
  QueryCommand as QueryItemsCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  DynamoDBDocumentClientCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { fromAttributeMap, toAttributeMap } from './attribute-values.ts';

type Send = DynamoDBDocumentClient['send'];
type AnyCommand = Parameters<Send>[0];
type Options = Parameters<Send>[1] | undefined;
type Callback = (error: unknown, data?: unknown) => void;
type Fields = Record<string, unknown>;

interface Translation {
  /** The document command's class name, for messages (a bundle's minifier renames the class itself). */
  readonly name: string;
  /** Sends the converted input as the low-level command. */
  readonly send: (client: DynamoDBClient, input: Fields, options: Options) => Promise<object>;
  /** Input members holding an item, a key or expression values (a name → value map each). */
  readonly input: readonly string[];
  /** Output members holding one item or key. */
  readonly output: readonly string[];
  /** Output members holding a list of items. */
  readonly outputLists?: readonly string[];
}

// The input casts are the conversion's: the members listed in `input` now hold AttributeValue maps.
const TRANSLATIONS = new Map<unknown, Translation>([
  [
    GetCommand,
    {
      name: 'GetCommand',
      send: (client, input, options) =>
        client.send(new GetItemCommand(input as unknown as GetItemCommandInput), options),
      input: ['Key'],
      output: ['Item'],
    },
  ],
  [
    PutCommand,
    {
      name: 'PutCommand',
      send: (client, input, options) =>
        client.send(new PutItemCommand(input as unknown as PutItemCommandInput), options),
      input: ['Item', 'ExpressionAttributeValues'],
      output: ['Attributes'],
    },
  ],
  [
    UpdateCommand,
    {
      name: 'UpdateCommand',
      send: (client, input, options) =>
        client.send(new UpdateItemCommand(input as unknown as UpdateItemCommandInput), options),
      input: ['Key', 'ExpressionAttributeValues'],
      output: ['Attributes'],
    },
  ],
  [
    DeleteCommand,
    {
      name: 'DeleteCommand',
      send: (client, input, options) =>
        client.send(new DeleteItemCommand(input as unknown as DeleteItemCommandInput), options),
      input: ['Key', 'ExpressionAttributeValues'],
      output: ['Attributes'],
    },
  ],
  [
    QueryCommand,
    {
      name: 'QueryCommand',
      send: (client, input, options) =>
        client.send(new QueryItemsCommand(input as unknown as QueryCommandInput), options),
      input: ['ExpressionAttributeValues', 'ExclusiveStartKey'],
      output: ['LastEvaluatedKey'],
      outputLists: ['Items'],
    },
  ],
]);

/** Legacy parameters that hold values outside the members above; the adapters write expressions instead. */
const LEGACY_MEMBERS = ['Expected', 'AttributeUpdates', 'KeyConditions', 'QueryFilter'] as const;

export class JsonDocumentClient extends DynamoDBDocumentClient {
  readonly #client: DynamoDBClient;

  constructor(client: DynamoDBClient) {
    super(client);
    this.#client = client;
  }

  // The signatures of Client.send, which the override must keep; the adapters use the first.
  override send(command: AnyCommand, options?: Options): Promise<never>;
  override send(command: AnyCommand, callback: Callback): void;
  override send(command: AnyCommand, options: Options, callback: Callback): void;
  override send(
    command: AnyCommand,
    optionsOrCallback?: Options | Callback,
    callback?: Callback,
  ): Promise<never> | undefined {
    const options = typeof optionsOrCallback === 'function' ? undefined : optionsOrCallback;
    const done = typeof optionsOrCallback === 'function' ? optionsOrCallback : callback;
    const output = this.#send(command, options) as Promise<never>;
    if (done === undefined) return output;
    output.then(
      (data) => done(null, data),
      (error: unknown) => done(error),
    );
    return undefined;
  }

  async #send(command: AnyCommand, options: Options): Promise<unknown> {
    // Low-level commands carry AttributeValues already.
    if (!(command instanceof DynamoDBDocumentClientCommand)) return super.send(command, options);
    const translation = TRANSLATIONS.get(command.constructor);
    const input = command.input as Fields;
    const legacy = LEGACY_MEMBERS.find((member) => input[member] !== undefined);
    if (translation === undefined || legacy !== undefined) {
      throw new TypeError(
        `${translation?.name ?? command.constructor.name}${legacy === undefined ? '' : ` with ${legacy}`} is not supported by the Tickwork document client`,
      );
    }
    const converted: Fields = { ...input };
    for (const member of translation.input) {
      const value = input[member];
      if (value !== undefined) converted[member] = toAttributeMap(value as Fields);
    }
    const output = (await translation.send(this.#client, converted, options)) as Fields;
    const native: Fields = { ...output };
    for (const member of translation.output) {
      const value = output[member];
      if (value !== undefined) native[member] = fromAttributeMap(value as Record<string, AttributeValue>);
    }
    for (const member of translation.outputLists ?? []) {
      const items = output[member];
      if (items !== undefined) {
        native[member] = (items as Record<string, AttributeValue>[]).map((item) => fromAttributeMap(item));
      }
    }
    return native;
  }
}
