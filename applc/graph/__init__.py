"""The dependency graph as a picture: the view every format draws (`view`), a layout
of its own (`layout`), and SVG and HTML (`svg`), so a picture needs no Graphviz."""
