// An API error in words, placed beside what caused it (under a form, in a
// panel). Announced to screen readers as it appears.
import { Alert, List } from '@mantine/core';
import type { Problem } from '@/lib/errors';

export function ProblemAlert({ problem, title }: { problem: Problem; title?: string }) {
  return (
    <Alert color="red" variant="light" role="alert" title={title}>
      {problem.message}
      {problem.details.length > 0 ? (
        <List size="sm" mt={6} spacing={2}>
          {problem.details.map((detail) => (
            <List.Item key={detail}>{detail}</List.Item>
          ))}
        </List>
      ) : null}
    </Alert>
  );
}
