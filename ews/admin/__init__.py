"""User administration for admins: the service (`service`) and its pages under /admin/users."""
