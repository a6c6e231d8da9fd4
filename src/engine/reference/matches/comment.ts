// -m comment (xt_comment.c, comment_mt): always matches.

import type { CommentMatch } from '../../../ir/matches/comment.js';
import type { MatchEvaluator } from '../match-evaluator.js';

export const commentEvaluator: MatchEvaluator<CommentMatch> = {
  kind: 'comment',
  test: () => true,
};
