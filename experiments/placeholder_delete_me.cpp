// Placeholder until the layer's first source lands; delete it then.
