// berth's mark (the app icon's sailboat) beside the product name.
import { Group, Text } from '@mantine/core';

const markUrl = `${import.meta.env.BASE_URL}favicon.svg`;

/** The logo and name, as one unit; the image is decorative. */
export function BerthMark({ subtitle }: { subtitle?: string | undefined }) {
  return (
    <Group gap={8} wrap="nowrap">
      <img src={markUrl} alt="" width={28} height={28} />
      <Text component="span" fw={700} fz="lg" lh={1}>
        berth
      </Text>
      {subtitle ? (
        <Text component="span" c="dimmed" fz="sm" lh={1.2} truncate="end" maw="50vw">
          {subtitle}
        </Text>
      ) : null}
    </Group>
  );
}
