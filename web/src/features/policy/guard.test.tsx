import { act, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { createMemoryRouter, Link, RouterProvider } from 'react-router';
import { describe, expect, it } from 'vitest';
import { leavesWithChanges, useUnsavedChangesGuard } from './guard';

describe('leavesWithChanges', () => {
  it('blocks only leaving the page with changes', () => {
    expect(leavesWithChanges(true, { pathname: '/policy' }, { pathname: '/units' })).toBe(true);
    expect(leavesWithChanges(false, { pathname: '/policy' }, { pathname: '/units' })).toBe(false);
    // The same page with another query or hash is not leaving it.
    expect(leavesWithChanges(true, { pathname: '/policy' }, { pathname: '/policy' })).toBe(false);
  });
});

function Editor() {
  const [dirty, setDirty] = useState(false);
  const blocker = useUnsavedChangesGuard(dirty);
  return (
    <>
      <button onClick={() => setDirty(true)}>edit</button>
      <button onClick={() => setDirty(false)}>publish</button>
      <Link to="/elsewhere">leave</Link>
      <p data-testid="state">{blocker.state}</p>
      {blocker.state === 'blocked' ? (
        <>
          <button onClick={() => blocker.reset?.()}>stay</button>
          <button onClick={() => blocker.proceed?.()}>discard</button>
        </>
      ) : null}
    </>
  );
}

/** Clicks the element with `text` and lets the router settle. */
async function click(text: string) {
  await act(async () => {
    fireEvent.click(screen.getByText(text));
    await Promise.resolve();
  });
}

function renderAt() {
  const router = createMemoryRouter(
    [
      { path: '/policy', element: <Editor /> },
      { path: '/elsewhere', element: <h1>Elsewhere</h1> },
    ],
    { initialEntries: ['/policy'] },
  );
  render(<RouterProvider router={router} />);
  return router;
}

describe('useUnsavedChangesGuard', () => {
  it('lets a clean page go', async () => {
    const router = renderAt();
    await click('leave');
    expect(router.state.location.pathname).toBe('/elsewhere');
  });

  it('holds a page with changes until the user stays or discards', async () => {
    const router = renderAt();
    fireEvent.click(screen.getByText('edit'));
    await click('leave');
    expect(screen.getByTestId('state')).toHaveTextContent('blocked');
    expect(router.state.location.pathname).toBe('/policy');

    await click('stay');
    expect(screen.getByTestId('state')).toHaveTextContent('unblocked');
    expect(router.state.location.pathname).toBe('/policy');

    await click('leave');
    await click('discard');
    expect(router.state.location.pathname).toBe('/elsewhere');
  });

  it('asks the browser before the tab closes, only while there are changes', () => {
    renderAt();
    const ask = () => {
      const event = new Event('beforeunload', { cancelable: true });
      window.dispatchEvent(event);
      return event.defaultPrevented;
    };
    expect(ask()).toBe(false);
    fireEvent.click(screen.getByText('edit'));
    expect(ask()).toBe(true);
    fireEvent.click(screen.getByText('publish'));
    expect(ask()).toBe(false);
  });

  it('lets a waiting navigation go once the changes are published', async () => {
    const router = renderAt();
    fireEvent.click(screen.getByText('edit'));
    await click('leave');
    expect(router.state.location.pathname).toBe('/policy');
    await click('publish');
    expect(router.state.location.pathname).toBe('/elsewhere');
  });
});
