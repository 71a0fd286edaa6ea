-- Grid names without their outlines (figures by grid, issue #14): naming a
-- city's tens of thousands of grids read each grid's row, outline and all,
-- one page or more apiece. This index holds what `grid_names` reads, so the
-- rows themselves are not touched.
CREATE INDEX grids_names ON grids (code, valid_from, valid_to, name);
