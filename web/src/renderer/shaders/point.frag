// Round dots (ringed when highlighted), or (thumbnail mode) the point's 64 px thumbnail from a
// texture array of atlas tiles, framed in the point's colour.
precision highp sampler2DArray;
uniform bool thumbs;
uniform sampler2DArray atlas;
uniform float perRow;
uniform float perTile;
uniform vec3 ringColor;
varying vec3 vColor;
varying float vId;
varying float vRing;

void main() {
  vec2 p = gl_PointCoord;
  if (!thumbs) {
    vec2 d = p - vec2(0.5);
    float r = dot(d, d);
    if (r > 0.25) discard;
    gl_FragColor = vec4(vRing > 0.5 && r > 0.13 ? ringColor : vColor, 1.0);
    return;
  }
  if (p.x < 0.08 || p.y < 0.08 || p.x > 0.92 || p.y > 0.92) {
    gl_FragColor = vec4(vRing > 0.5 ? ringColor : vColor, 1.0);
    return;
  }
  float id = floor(vId + 0.5);
  float tile = floor(id / perTile);
  float cell = id - tile * perTile;
  vec2 rc = vec2(mod(cell, perRow), floor(cell / perRow));
  float g = texture(atlas, vec3((rc + p) / perRow, tile)).r;
  gl_FragColor = vec4(vec3(g), 1.0);
}
