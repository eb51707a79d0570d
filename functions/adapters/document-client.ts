import type { TranslateConfig } from '@aws-sdk/lib-dynamodb';

/** How the store's items are marshalled: optional fields left undefined are simply not written. */
export const DOCUMENT_CLIENT_TRANSLATE_CONFIG: TranslateConfig = {
  marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  unmarshallOptions: { wrapNumbers: false },
};
