// Small line icons for the board: each reservation state has its own (so
// colour is never the only sign), and blocks and locks theirs.
import type { ReactNode } from 'react';

function Icon({ children, size = 14 }: { children: ReactNode; size?: number }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {children}
    </svg>
  );
}

const statePaths: Record<string, ReactNode> = {
  // An hourglass: held until it expires.
  HELD: <path d="M4 2h8M4 14h8M5 2c0 3 6 3 6 6s-6 3-6 6M11 2c0 3-6 3-6 6s6 3 6 6" />,
  // A check mark.
  CONFIRMED: <path d="M3 8.5l3.2 3L13 4.5" />,
  // A door with an arrow going in.
  CHECKED_IN: (
    <>
      <path d="M9 2.5h4v11H9" />
      <path d="M2 8h7M6.5 5L9 8l-2.5 3" />
    </>
  ),
  // A flag: the stay is over.
  FINISHED: (
    <>
      <path d="M4 14V2" />
      <path d="M4 2.5h8l-2 3 2 3H4" />
    </>
  ),
  // A cross.
  CANCELED: <path d="M4 4l8 8M12 4l-8 8" />,
  // A person with a question: did not come.
  ABSENT: (
    <>
      <circle cx="6" cy="5" r="2.5" />
      <path d="M1.5 14c.5-3 2.2-4.5 4.5-4.5M11 9.5a2 2 0 1 1 2 2v1M13 14.5v.01" />
    </>
  ),
};

export function StateIcon({ state, size }: { state: string; size?: number }) {
  return <Icon size={size}>{statePaths[state] ?? statePaths.CONFIRMED}</Icon>;
}

export function LockIcon({ size }: { size?: number }) {
  return (
    <Icon size={size}>
      <rect x="3" y="7" width="10" height="7" rx="1.5" />
      <path d="M5 7V5a3 3 0 0 1 6 0v2" />
    </Icon>
  );
}

/** A "no entry" sign: a staff block. */
export function BlockIcon({ size }: { size?: number }) {
  return (
    <Icon size={size}>
      <circle cx="8" cy="8" r="6" />
      <path d="M4 12l8-8" />
    </Icon>
  );
}

/** Two arrows: a block imported from another calendar. */
export function ImportIcon({ size }: { size?: number }) {
  return (
    <Icon size={size}>
      <path d="M2 5h10M9 2l3 3-3 3M14 11H4M7 8l-3 3 3 3" />
    </Icon>
  );
}

export function Chevron({ direction }: { direction: 'left' | 'right' }) {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d={direction === 'left' ? 'M15 6l-6 6 6 6' : 'M9 6l6 6-6 6'} />
    </svg>
  );
}
