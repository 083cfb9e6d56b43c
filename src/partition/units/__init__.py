"""Planning units and their adjacency, prepared from the data: what every command and notebook starts with."""
