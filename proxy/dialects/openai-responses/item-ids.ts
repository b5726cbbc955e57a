/** Output item ids name the response they belong to (`msg_<suffix>_<index>` in `resp_<suffix>`),
 * so an `item_reference` is resolved from the one stored response it names, without an index of
 * every item the gateway keeps. */
export const outputItemId = (responseId: string, kind: string, index: number): string => `${kind}_${responseId.slice('resp_'.length)}_${index}`;

const ITEM_ID = /^(?:rs|msg|fc)_([A-Za-z0-9_-]{1,200})_\d{1,6}$/;

/** The response an output item id of this gateway belongs to, or undefined for any other id. */
export const responseIdOfItem = (itemId: string): string | undefined => {
  const match = ITEM_ID.exec(itemId);
  return match ? `resp_${match[1]}` : undefined;
};
