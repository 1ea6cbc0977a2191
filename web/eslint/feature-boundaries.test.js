// The feature-boundaries rule against the imports a feature file may and may
// not write (run by Vitest with the app's tests).
import path from 'node:path';
import { RuleTester } from 'eslint';
import { describe, it } from 'vitest';
import { featureBoundaries } from './feature-boundaries.js';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const src = path.resolve(import.meta.dirname, '..', 'src');
const board = path.join(src, 'features', 'board', 'BoardPage.tsx');
const boardDeep = path.join(src, 'features', 'board', 'grid', 'Row.tsx');
const lib = path.join(src, 'lib', 'format.ts');

const tester = new RuleTester({ languageOptions: { ecmaVersion: 2023, sourceType: 'module' } });

tester.run('feature-boundaries', featureBoundaries, {
  valid: [
    { filename: board, code: "import { NewReservationPanel } from '@/features/booking';" },
    { filename: board, code: "export { NewReservationPanel } from '@/features/booking';" },
    { filename: board, code: "import { x } from './grid/Row';" },
    { filename: boardDeep, code: "import { x } from '../BoardPage';" },
    { filename: board, code: "import { useFormat } from '@/lib/use-format';" },
    { filename: board, code: "import { ProblemAlert } from '@/components/ProblemAlert';" },
    { filename: board, code: "import { BoardDocument } from '@/gql/graphql';" },
    { filename: board, code: "import { Button } from '@mantine/core';" },
    // Outside features the rule has nothing to say (the shell's own rules apply).
    { filename: lib, code: "import { x } from '@/features/booking/BookingDrawer';" },
  ],
  invalid: [
    {
      filename: board,
      code: "import { NewReservationPanel } from '@/features/booking/NewReservationPanel';",
      errors: [{ messageId: 'internals' }],
    },
    {
      filename: board,
      code: "import { NewReservationPanel } from '../booking/NewReservationPanel';",
      errors: [{ messageId: 'internals' }],
    },
    {
      filename: boardDeep,
      code: "import { NewReservationPanel } from '../../booking/index';",
      errors: [{ messageId: 'internals' }],
    },
    {
      filename: board,
      code: "export * from '@/features/booking/quote';",
      errors: [{ messageId: 'internals' }],
    },
    {
      filename: board,
      code: "const load = () => import('@/features/calendar/CalendarPage');",
      errors: [{ messageId: 'internals' }],
    },
    { filename: board, code: "import { screens } from '@/app/routes';", errors: [{ messageId: 'shell' }] },
    { filename: board, code: "import { screens } from '../../app/routes';", errors: [{ messageId: 'shell' }] },
    { filename: board, code: "import x from '..';", errors: [{ messageId: 'featuresRoot' }] },
    { filename: board, code: "import { x } from '@/features/board/grid/Row';", errors: [{ messageId: 'ownAlias' }] },
  ],
});
