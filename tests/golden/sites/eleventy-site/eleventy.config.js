export default function (eleventyConfig) {
  eleventyConfig.addPassthroughCopy("src/img");
}

export const config = {
  dir: {
    input: "src",
    includes: "_includes",
    data: "_data",
    output: "_site",
  },
  pathPrefix: "/",
};
