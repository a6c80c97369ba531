// primary adapter (Cognito PreTokenGeneration trigger) → directoryEntryOfSignIn → user directory (PutItem)

import middy from '@middy/core';
import type { PreTokenGenerationTriggerEvent } from 'aws-lambda';
import { loadEnv, type Uses } from '../../shared/config/env.js';
import { saveDirectoryUser } from '../../shared/db/user-directory.js';
import { directoryEntryOfSignIn } from '../../shared/domain/use-cases/signed-in-user.js';
import { logger } from '../../shared/http/logger.js';
import { observe } from '../../shared/http/observability.js';

/** Its own directory items only (infra/stacks/stateful-stack.ts binds it); test/infra checks its environment. */
export const USES: Uses = { tableItems: true };
loadEnv(USES);

/**
 * Mirrors the signing-in user into the directory and changes nothing in the token. A failure is logged
 * and the sign-in goes on: a stale mirror is better than nobody able to sign in while the table is down.
 */
async function syncUser(event: PreTokenGenerationTriggerEvent): Promise<PreTokenGenerationTriggerEvent> {
  try {
    await saveDirectoryUser(
      directoryEntryOfSignIn(
        {
          username: event.userName,
          attributes: event.request.userAttributes,
          groups: event.request.groupConfiguration.groupsToOverride ?? [],
        },
        new Date(),
      ),
    );
  } catch (error) {
    logger.error('user directory not updated at sign-in; the sign-in goes on', { error: error as Error });
  }
  return event;
}

export const handler = middy(syncUser).use(observe());
