"""Staff administration: the people of an admin's subtree, their roles and passwords."""
