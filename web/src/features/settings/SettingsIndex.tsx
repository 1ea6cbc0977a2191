// /admin/settings: the first section.
import { Navigate } from 'react-router';

export default function SettingsIndex() {
  return <Navigate to="/settings/users" replace />;
}
