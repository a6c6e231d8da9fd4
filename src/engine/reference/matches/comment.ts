// -m comment: not evaluated yet (stub).

import type { CommentMatch } from '../../../ir/matches/comment.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import { notEvaluated } from './not-evaluated.js';

export const commentEvaluator: MatchEvaluator<CommentMatch> = notEvaluated('comment');
