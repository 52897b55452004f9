/**
 * The federation routes' acknowledgement schemas (decision 0070): what the inbox answers a peer
 * and what a state's sharing ledger shows, in either form `verifyAcknowledgement` checks.
 */
import { z } from 'zod';

const AckMembers = {
  receiver: z.string(),
  source: z.string(),
  index: z.number().int(),
  status: z.enum(['applied', 'duplicate', 'refused', 'retry']),
  leafHash: z.string().optional(),
  receivedIndex: z.number().int().optional(),
  code: z.string().optional(),
  message: z.string().optional(),
  at: z.string(),
};

/** What the inbox answers for one bundle: signed alone, or a leaf of the batch's signed root (decision 0070). */
const InboxAck = z
  .object({
    ...AckMembers,
    signature: z
      .string()
      .optional()
      .describe(
        'base64 Ed25519 by the receiver’s node key over RFC 8785 of the other members (when not batched)',
      ),
  })
  .describe('The receiver’s acknowledgement of one bundle');

const AckBatchReply = z
  .object({
    size: z.number().int(),
    root: z.string().describe('base64 RFC 6962 root over RFC 8785 of each acknowledgement, in order'),
    signature: z
      .string()
      .describe(
        'base64 Ed25519 by the receiver’s node key over RFC 8785 of {type: "custos-ack-batch/v1", receiver, size, root}',
      ),
  })
  .describe(
    'One signature over the batch’s acknowledgements, when the sender asked for it (`"acks": "batch"`)',
  );

/** A ledger entry's acknowledgement: one of the two forms `verifyAcknowledgement` checks. */
export const AckReply = z
  .union([
    z.object({
      ...AckMembers,
      signature: z
        .string()
        .describe('base64 Ed25519 by the receiver’s node key over RFC 8785 of the other members'),
    }),
    z.object({
      ...AckMembers,
      batch: z
        .object({
          size: z.number().int(),
          position: z.number().int(),
          proof: z
            .array(z.string())
            .describe('base64 RFC 6962 audit path of this acknowledgement, leaf to root'),
          signature: z.string().describe('the batch’s signature over its root (decision 0070)'),
        })
        .describe('this acknowledgement’s place in the batch the receiver signed once'),
    }),
  ])
  .describe('The receiver’s signed acknowledgement of one bundle');

/** The inbox's answer to a batch of bundles. */
export const InboxReply = z.object({
  acks: z.array(InboxAck),
  batch: AckBatchReply.optional(),
  takes: z
    .number()
    .int()
    .optional()
    .describe('with a batched answer: the most bundles this node takes in one request (decision 0080)'),
});
